// TCP tunnels into a sandbox over its daemon link: one HTTP/2 stream per
// connection, opened from inside the sandbox (so apps bound to 127.0.0.1
// work and no sandbox address is ever exposed). Preview and SSH use it.

export const FORWARD_PATH = '/forward/tcp';

export interface TunnelTarget {
  port: number;
  /** Host as seen from inside the sandbox; 127.0.0.1 when omitted. */
  host?: string;
}

/** Host names and addresses a tunnel may name (no schemes, paths or spaces). */
export const TUNNEL_HOST_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/;

export const isTcpPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;
