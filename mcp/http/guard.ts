// DNS-rebinding protection for /mcp: the Host (and Origin, when sent) must
// name this server — localhost, the host of BERTH_PUBLIC_URL, or one listed in
// BERTH_MCP_ALLOWED_HOSTS. A web page whose DNS name was rebound to this
// machine then cannot drive it, even behind a public hostname.
import type { Config } from '../../common/config.js';

const LOCAL = ['localhost', '127.0.0.1', '[::1]', '::1'];

export class HostGuard {
  private readonly allowed: Set<string>;

  constructor(config: Pick<Config, 'publicUrl' | 'host' | 'mcpAllowedHosts'>) {
    const extra = config.mcpAllowedHosts
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const names = [...LOCAL, new URL(config.publicUrl).hostname.toLowerCase(), ...extra];
    if (config.host !== '0.0.0.0' && config.host !== '::') names.push(config.host.toLowerCase());
    this.allowed = new Set(names);
  }

  private hostname(hostHeader: string): string | undefined {
    try {
      return new URL(`http://${hostHeader}`).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  }

  /** Returns why the request is refused, or undefined when it may pass. */
  check(host: string | undefined, origin: string | undefined): string | undefined {
    const h = host ? this.hostname(host) : undefined;
    if (!h || !this.allowed.has(h))
      return `Host header ${JSON.stringify(host ?? '')} is not this server (DNS-rebinding protection; allow it with BERTH_MCP_ALLOWED_HOSTS or BERTH_PUBLIC_URL)`;
    if (origin && origin !== 'null') {
      let o: string | undefined;
      try {
        o = new URL(origin).hostname.toLowerCase();
      } catch {
        o = undefined;
      }
      if (!o || !this.allowed.has(o))
        return `Origin ${JSON.stringify(origin)} is not allowed (DNS-rebinding protection)`;
    }
    return undefined;
  }
}
