// A runner's egress enforcement: the iptables rules (netrules.ts) plus the DNS
// resolver that opens the addresses of allow-listed domains (egress-dns.ts).
import type { Logger } from '../common/log.js';
import type { NetworkPolicy } from '../common/wire/runner.js';
import { EgressResolver, type Decision } from './egress-dns.js';
import { NetRules, upstreamDns, type EgressMode } from './netrules.js';
import type { NetworkInfo } from './runtime/interface.js';

/** The first host address of an IPv4 CIDR (10.88.0.0/16 → 10.88.0.1). */
export function firstHost(cidr: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return '';
  const n = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const mask = Number(m[5]) === 0 ? 0 : (0xffffffff << (32 - Number(m[5]))) >>> 0;
  const h = ((n & mask) + 1) >>> 0;
  return [h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255].join('.');
}

export class Egress {
  private readonly net: NetRules;
  private resolver: EgressResolver | null = null;
  private gateway = '';

  constructor(
    private readonly log: Logger,
    enabled: boolean,
    /** DNS server (ip[:port]) the resolver asks; default: the host's first nameserver. */
    private readonly upstream?: string,
  ) {
    this.net = new NetRules(log, enabled);
  }

  /** Installs the shared rules for the sandbox bridge and starts the resolver. */
  async install(network: NetworkInfo): Promise<EgressMode> {
    const mode = await this.net.install(network.bridge);
    // Docker leaves the gateway out of IPAM when it picked it itself: the subnet's first address.
    this.gateway = network.gateway || firstHost(network.subnet);
    if (mode === 'enforced' && this.gateway && !this.resolver) await this.startResolver();
    return mode;
  }

  private async startResolver(): Promise<void> {
    const configured = this.upstream ?? upstreamDns()[0];
    if (!configured) {
      this.log.warn('no upstream DNS server: domain allow-lists will resolve nothing', {
        hint: 'set BERTH_EGRESS_DNS_UPSTREAM',
      });
      return;
    }
    const [host, port] = configured.split(':');
    const r = new EgressResolver(
      {
        host: this.gateway,
        upstream: { host: host!, port: Number(port ?? 53) },
        onResolved: (id, ips) => this.net.allowResolved(id, ips),
      },
      this.log,
    );
    try {
      await r.start();
      this.resolver = r;
    } catch (e) {
      this.log.warn('egress resolver not started: domain allow-lists will resolve nothing', {
        error: (e as Error).message,
      });
    }
  }

  /** Installs a sandbox's rules for its address and tells the resolver its domains. */
  async apply(sandboxId: string, ip: string | null, policy: NetworkPolicy): Promise<void> {
    const domains = policy.blockAll ? [] : (policy.domains ?? []);
    const dns = this.resolver ? { address: this.gateway, port: this.resolver.port } : undefined;
    await this.net.applySandbox(
      sandboxId,
      policy.blockAll ? null : ip,
      policy.blockAll ? [] : policy.allowList,
      domains,
      dns,
    );
    if (ip && this.resolver) this.resolver.setPolicy(ip, domains.length ? { sandboxId, domains } : null);
    else this.resolver?.forget(sandboxId);
  }

  async remove(sandboxId: string): Promise<void> {
    await this.net.removeSandbox(sandboxId);
    this.resolver?.forget(sandboxId);
  }

  /** Rules and recent resolver answers of one sandbox (diagnostics and tests). */
  async state(sandboxId: string): Promise<{ filter: string[]; dns: string[]; decisions: Decision[] }> {
    const rules = await this.net.describe(sandboxId);
    return { ...rules, decisions: (this.resolver?.decisions ?? []).filter((d) => d.sandboxId === sandboxId) };
  }

  reap(known: () => Promise<Set<string>>): Promise<number> {
    return this.net.reap(known);
  }

  async close(): Promise<void> {
    await this.resolver?.close();
    this.resolver = null;
  }
}
