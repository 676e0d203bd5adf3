// Egress policy with iptables. Sandboxes on the Berth bridge never reach the
// host, link-local/metadata or private ranges; a per-sandbox allow-list of
// CIDRs and resolved domain addresses narrows the rest. Rules live in Berth's
// own chains (filter: BERTH-EGRESS, BERTH-INPUT, BERTH-SANDBOXES, one
// BERTH-S-<id> per sandbox; nat: BERTH-DNS), rebuilt idempotently at start
// and removed with the sandbox. Shared chains are replaced atomically
// (iptables-restore), so there is no instant without them.
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Logger } from '../common/log.js';

const run = promisify(execFile);

export const ALWAYS_BLOCKED = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

const EGRESS = 'BERTH-EGRESS';
const INPUT = 'BERTH-INPUT';
const SANDBOXES = 'BERTH-SANDBOXES';
/** nat chain: DNS of sandboxes with a domain allow-list goes to the egress resolver. */
const DNS = 'BERTH-DNS';
const REJECT = ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'];
/** Held (flock) by every Berth on the host while it checks and inserts its jumps. */
const JUMPS_LOCK = '/run/berth-iptables.lock';
/** Most resolved addresses kept open per sandbox (older ones close first). */
const MAX_RESOLVED = 512;

export const sandboxChain = (sandboxId: string) => `BERTH-S-${sandboxId.replace(/-/g, '').slice(0, 20)}`;

export function upstreamDns(resolvConf = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(resolvConf, 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(l)?.[1])
      .filter((x): x is string => !!x && !x.startsWith('127.'));
  } catch {
    return [];
  }
}

export type EgressMode = 'enforced' | 'disabled' | 'unavailable';

/** Where sandboxes with domain allow-lists send DNS: this runner's resolver. */
export interface DnsTarget {
  address: string;
  port: number;
}

export class NetRules {
  mode: EgressMode = 'disabled';
  private lock: Promise<unknown> = Promise.resolve();
  private bridge = '';
  /** Addresses opened per sandbox by the resolver, oldest first. */
  private readonly resolved = new Map<string, string[]>();
  /**
   * Per-sandbox chains that exist (found at install, or made since). Most
   * sandboxes have none, and skipping the lookups keeps iptables (tens of ms
   * per call here) off the start and stop paths.
   */
  private readonly chains = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly enabled: boolean,
  ) {}

  private ipt(args: string[], table = 'filter'): Promise<{ stdout: string }> {
    return run('iptables', ['-w', '5', '-t', table, ...args], { encoding: 'utf8' });
  }

  private async tryIpt(args: string[], table = 'filter'): Promise<boolean> {
    try {
      await this.ipt(args, table);
      return true;
    } catch {
      return false;
    }
  }

  /** Serialised: iptables edits race each other otherwise. */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const next = this.lock.then(f, f);
    this.lock = next.catch(() => {});
    return next;
  }

  async install(bridge: string): Promise<EgressMode> {
    if (!this.enabled) return (this.mode = 'disabled');
    this.bridge = bridge;
    return this.serial(async () => {
      try {
        await this.ipt(['-S', 'DOCKER-USER']);
      } catch (e) {
        this.log.warn('egress policy NOT enforced: iptables is unavailable (needs root and the DOCKER-USER chain)', {
          error: (e as Error).message.split('\n')[0],
        });
        return (this.mode = 'unavailable');
      }
      for (const c of [EGRESS, INPUT, SANDBOXES]) await this.tryIpt(['-N', c]);
      await this.tryIpt(['-N', DNS], 'nat');
      // Other Berth instances on this host share these chains: rebuild only when the
      // content differs, and never flush the per-sandbox chain (it holds theirs too).
      const egress: string[][] = [['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN']];
      for (const dns of upstreamDns())
        for (const proto of ['udp', 'tcp'])
          egress.push(['-d', `${dns}/32`, '-p', proto, '-m', proto, '--dport', '53', '-j', 'RETURN']);
      for (const cidr of ALWAYS_BLOCKED) egress.push(['-d', cidr, ...REJECT]);
      egress.push(['-j', SANDBOXES]);
      await this.ensureChain(EGRESS, egress);
      // The host answers sandboxes only on connections it opened, and DNS that a
      // BERTH-DNS rule redirected to an egress resolver.
      await this.ensureChain(INPUT, [
        ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN'],
        ['-p', 'udp', '-m', 'conntrack', '--ctstate', 'DNAT', '--ctorigdstport', '53', '-j', 'RETURN'],
        ['-p', 'tcp', '-m', 'conntrack', '--ctstate', 'DNAT', '--ctorigdstport', '53', '-j', 'RETURN'],
        REJECT,
      ]);
      await this.ensureJumps([
        { table: 'filter', chain: 'DOCKER-USER', rule: ['-i', bridge, '-j', EGRESS] },
        { table: 'filter', chain: 'INPUT', rule: ['-i', bridge, '-j', INPUT] },
        ...['udp', 'tcp'].map((proto) => ({
          table: 'nat',
          chain: 'PREROUTING',
          rule: ['-i', bridge, '-p', proto, '-m', proto, '--dport', '53', '-j', DNS],
        })),
      ]);
      for (const chain of await this.sandboxChains()) this.chains.add(chain);
      return (this.mode = 'enforced');
    });
  }

  /**
   * Puts each jump first in its chain unless it is there. Check and insert are
   * two commands: two Berths starting at once on a host would both insert, so
   * they run under a lock file every Berth on the host takes (flock(1)).
   */
  private async ensureJumps(jumps: { table: string; chain: string; rule: string[] }[]): Promise<void> {
    const words = jumps.flatMap((j) => [j.table, j.chain, ...j.rule]);
    const bad = words.find((w) => !/^[\w.:/-]+$/.test(w));
    if (bad) throw new Error(`unexpected word in an iptables rule: ${JSON.stringify(bad)}`);
    const script = jumps
      .map(
        ({ table, chain, rule }) =>
          `{ iptables -w 5 -t ${table} -C ${chain} ${rule.join(' ')} 2>/dev/null || iptables -w 5 -t ${table} -I ${chain} 1 ${rule.join(' ')}; }`,
      )
      .join(' && ');
    await run('flock', ['-w', '30', JUMPS_LOCK, 'sh', '-c', script], { encoding: 'utf8' }).catch(
      (e: NodeJS.ErrnoException) => {
        // A host without util-linux: unlocked, as before.
        if (e.code !== 'ENOENT') throw e;
        return run('sh', ['-c', script], { encoding: 'utf8' });
      },
    );
  }

  private async ensureChain(chain: string, rules: string[][]): Promise<void> {
    const want = rules.map((r) => `-A ${chain} ${r.join(' ')}`);
    const { stdout } = await this.ipt(['-S', chain]);
    const have = stdout.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
    if (have.join('\n') === want.join('\n')) return;
    await this.restore(['*filter', `-F ${chain}`, ...want, 'COMMIT']);
  }

  /** Applies several changes in one atomic commit (no window without the old or new rules). */
  private restore(lines: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn('iptables-restore', ['-w', '5', '--noflush'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`iptables-restore failed: ${err.trim()}`))));
      p.stdin.end(lines.join('\n') + '\n');
    });
  }

  /**
   * Applies a sandbox's policy for its current address (called on every start
   * and on every live change): allowed CIDRs, and for domain allow-lists the
   * DNS redirect to `dns`. Addresses opened by earlier lookups are dropped.
   */
  async applySandbox(
    sandboxId: string,
    ip: string | null,
    allowList: string[],
    domains: string[] = [],
    dns?: DnsTarget,
  ): Promise<void> {
    if (this.mode !== 'enforced') return;
    await this.serial(async () => {
      await this.removeUnlocked(sandboxId);
      if (!ip || (allowList.length === 0 && domains.length === 0)) return;
      const chain = sandboxChain(sandboxId);
      const lines = ['*filter', `:${chain} - [0:0]`];
      for (const cidr of allowList) lines.push(`-A ${chain} -d ${cidr} -j RETURN`);
      lines.push(`-A ${chain} ${REJECT.join(' ')}`, `-A ${SANDBOXES} -s ${ip}/32 -j ${chain}`, 'COMMIT');
      if (domains.length && dns) {
        lines.push('*nat');
        for (const proto of ['udp', 'tcp'])
          lines.push(
            `-A ${DNS} -s ${ip}/32 -p ${proto} -m comment --comment ${chain} -j DNAT --to-destination ${dns.address}:${dns.port}`,
          );
        lines.push('COMMIT');
      }
      this.chains.add(chain);
      await this.restore(lines);
    });
  }

  /** Opens addresses a sandbox resolved through its domain allow-list. */
  allowResolved(sandboxId: string, ips: string[]): Promise<void> {
    if (this.mode !== 'enforced') return Promise.resolve();
    return this.serial(async () => {
      const chain = sandboxChain(sandboxId);
      const open = this.resolved.get(sandboxId) ?? [];
      const fresh = [...new Set(ips)].filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip) && !open.includes(ip));
      if (!fresh.length) return;
      const lines = ['*filter', ...fresh.map((ip) => `-I ${chain} 1 -d ${ip}/32 -j RETURN`)];
      open.push(...fresh);
      while (open.length > MAX_RESOLVED) lines.push(`-D ${chain} -d ${open.shift()}/32 -j RETURN`);
      lines.push('COMMIT');
      this.resolved.set(sandboxId, open);
      await this.restore(lines);
    });
  }

  removeSandbox(sandboxId: string): Promise<void> {
    if (this.mode !== 'enforced') return Promise.resolve();
    return this.serial(() => this.removeUnlocked(sandboxId));
  }

  private removeUnlocked(sandboxId: string): Promise<void> {
    this.resolved.delete(sandboxId);
    return this.removeChain(sandboxChain(sandboxId));
  }

  private async removeChain(chain: string): Promise<void> {
    if (!this.chains.has(chain)) return;
    this.chains.delete(chain);
    const { stdout } = await this.ipt(['-S', SANDBOXES]);
    for (const line of stdout.split('\n')) {
      if (line.startsWith(`-A ${SANDBOXES} `) && line.endsWith(`-j ${chain}`)) {
        await this.tryIpt(['-D', ...line.slice(3).split(' ')]);
      }
    }
    const nat = await this.ipt(['-S', DNS], 'nat').catch(() => ({ stdout: '' }));
    for (const line of nat.stdout.split('\n')) {
      if (line.startsWith(`-A ${DNS} `) && line.includes(`--comment ${chain} `))
        await this.tryIpt(['-D', ...line.slice(3).split(' ')], 'nat');
    }
    if (await this.tryIpt(['-F', chain])) await this.tryIpt(['-X', chain]);
  }

  /** The rules of one sandbox as iptables prints them (diagnostics and tests). */
  async describe(sandboxId: string): Promise<{ filter: string[]; dns: string[] }> {
    const chain = sandboxChain(sandboxId);
    const filter = await this.ipt(['-S', chain]).then(
      (r) => r.stdout.split('\n').filter((l) => l.startsWith('-A')),
      () => [],
    );
    const dns = await this.ipt(['-S', DNS], 'nat').then(
      (r) => r.stdout.split('\n').filter((l) => l.includes(`--comment ${chain} `)),
      () => [],
    );
    return { filter, dns };
  }

  /** The per-sandbox chains that exist on the host (of every Berth here). */
  private async sandboxChains(): Promise<string[]> {
    const { stdout } = await this.ipt(['-S']);
    return stdout
      .split('\n')
      .map((l) => /^-N (BERTH-S-\S+)$/.exec(l)?.[1])
      .filter((c): c is string => !!c);
  }

  /** Removes per-sandbox chains whose sandbox is gone (after a crash); `known` is asked only after the chains are listed. */
  async reap(known: () => Promise<Set<string>>): Promise<number> {
    if (this.mode !== 'enforced') return 0;
    const chains = await this.sandboxChains();
    if (!chains.length) return 0;
    const knownChains = new Set([...(await known())].map(sandboxChain));
    const stale = chains.filter((c) => !knownChains.has(c));
    for (const chain of stale) {
      this.chains.add(chain);
      await this.serial(() => this.removeChain(chain));
    }
    return stale.length;
  }
}
