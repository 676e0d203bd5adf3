// Recognises remotes the sandbox egress policy refuses (the Berth host,
// link-local/metadata and private ranges), so a failed clone can say so
// instead of a bare "No route to host". The sandbox's own loopback is fine.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const v4num = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

export function isPolicyBlocked(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPolicyBlocked(mapped[1]!);
  if (isIP(ip) === 4) {
    const n = v4num(ip);
    return V4_BLOCKED.some(
      ([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(v4num(base) / 2 ** (32 - bits)),
    );
  }
  if (isIP(ip) === 6) return /^(fe[89ab][0-9a-f]|f[cd][0-9a-f]{2}):/i.test(ip);
  return false;
}

/** Host of an http(s)/git/ssh URL or of scp-like `user@host:path`. */
export function remoteHost(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol === 'file:') return null;
    return u.hostname.replace(/^\[|\]$/g, '') || null;
  } catch {
    const m = /^(?:[^@/]+@)?([^:/]+):/.exec(url);
    return m ? m[1]! : null;
  }
}

/** The first address of the remote that the policy blocks, if any. */
export async function blockedAddress(url: string): Promise<string | null> {
  const host = remoteHost(url);
  if (!host) return null;
  if (isIP(host)) return isPolicyBlocked(host) ? host : null;
  try {
    const addrs = await lookup(host, { all: true });
    return addrs.find((a) => isPolicyBlocked(a.address))?.address ?? null;
  } catch {
    return null;
  }
}
