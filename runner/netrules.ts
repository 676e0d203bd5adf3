// Egress policy with iptables. Sandboxes on the Berth bridge never reach the
// host, link-local/metadata or private ranges; a per-sandbox allow-list narrows
// the rest. Rules live in Berth's own chains, rebuilt idempotently at start
// and removed with the sandbox.
import { execFile } from 'node:child_process';
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
const REJECT = ['-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited'];

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

export class NetRules {
  mode: EgressMode = 'disabled';
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: Logger,
    private readonly enabled: boolean,
  ) {}

  private ipt(args: string[]): Promise<{ stdout: string }> {
    return run('iptables', ['-w', '5', ...args], { encoding: 'utf8' });
  }

  private async tryIpt(args: string[]): Promise<boolean> {
    try {
      await this.ipt(args);
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
    return this.serial(async () => {
      try {
        await this.ipt(['-S', 'DOCKER-USER']);
      } catch (e) {
        this.log.warn('egress policy NOT enforced: iptables is unavailable (needs root and the DOCKER-USER chain)', { error: (e as Error).message.split('\n')[0] });
        return (this.mode = 'unavailable');
      }
      for (const c of [EGRESS, INPUT, SANDBOXES]) await this.tryIpt(['-N', c]);
      // Other Berth instances on this host share these chains: rebuild only when the
      // content differs, and never flush the per-sandbox chain (it holds theirs too).
      const egress: string[][] = [['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN']];
      for (const dns of upstreamDns()) for (const proto of ['udp', 'tcp']) egress.push(['-d', `${dns}/32`, '-p', proto, '-m', proto, '--dport', '53', '-j', 'RETURN']);
      for (const cidr of ALWAYS_BLOCKED) egress.push(['-d', cidr, ...REJECT]);
      egress.push(['-j', SANDBOXES]);
      await this.ensureChain(EGRESS, egress);
      await this.ensureChain(INPUT, [['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'], REJECT]);
      if (!(await this.tryIpt(['-C', 'DOCKER-USER', '-i', bridge, '-j', EGRESS]))) await this.ipt(['-I', 'DOCKER-USER', '1', '-i', bridge, '-j', EGRESS]);
      if (!(await this.tryIpt(['-C', 'INPUT', '-i', bridge, '-j', INPUT]))) await this.ipt(['-I', 'INPUT', '1', '-i', bridge, '-j', INPUT]);
      return (this.mode = 'enforced');
    });
  }

  private async ensureChain(chain: string, rules: string[][]): Promise<void> {
    const want = rules.map((r) => `-A ${chain} ${r.join(' ')}`);
    const { stdout } = await this.ipt(['-S', chain]);
    const have = stdout.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
    if (have.join('\n') === want.join('\n')) return;
    await this.ipt(['-F', chain]);
    for (const r of rules) await this.ipt(['-A', chain, ...r]);
  }

  /** Applies a sandbox's allow-list for its current address (called on every start). */
  async applySandbox(sandboxId: string, ip: string | null, allowList: string[]): Promise<void> {
    if (this.mode !== 'enforced') return;
    await this.serial(async () => {
      await this.removeUnlocked(sandboxId);
      if (!ip || allowList.length === 0) return;
      const chain = sandboxChain(sandboxId);
      await this.ipt(['-N', chain]);
      for (const cidr of allowList) await this.ipt(['-A', chain, '-d', cidr, '-j', 'RETURN']);
      await this.ipt(['-A', chain, ...REJECT]);
      await this.ipt(['-A', SANDBOXES, '-s', `${ip}/32`, '-j', chain]);
    });
  }

  removeSandbox(sandboxId: string): Promise<void> {
    if (this.mode !== 'enforced') return Promise.resolve();
    return this.serial(() => this.removeUnlocked(sandboxId));
  }

  private removeUnlocked(sandboxId: string): Promise<void> {
    return this.removeChain(sandboxChain(sandboxId));
  }

  private async removeChain(chain: string): Promise<void> {
    const { stdout } = await this.ipt(['-S', SANDBOXES]);
    for (const line of stdout.split('\n')) {
      if (line.startsWith(`-A ${SANDBOXES} `) && line.endsWith(`-j ${chain}`)) {
        await this.tryIpt(['-D', ...line.slice(3).split(' ')]);
      }
    }
    if (await this.tryIpt(['-F', chain])) await this.tryIpt(['-X', chain]);
  }

  /** Removes per-sandbox chains whose sandbox is gone (after a crash). */
  async reap(known: Set<string>): Promise<number> {
    if (this.mode !== 'enforced') return 0;
    const knownChains = new Set([...known].map(sandboxChain));
    const { stdout } = await this.ipt(['-S']);
    const stale = stdout
      .split('\n')
      .map((l) => /^-N (BERTH-S-\S+)$/.exec(l)?.[1])
      .filter((c): c is string => !!c && !knownChains.has(c));
    for (const chain of stale) await this.serial(() => this.removeChain(chain));
    return stale.length;
  }
}
