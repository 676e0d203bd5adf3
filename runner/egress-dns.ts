// The domain allow-list resolver. Sandboxes with a domain allow-list have
// their DNS traffic (whatever server they ask) redirected here by a DNAT rule
// (netrules.ts). A name on the list is resolved upstream, and the addresses in
// the answer are opened in that sandbox's egress chain before the answer is
// returned; any other name gets NXDOMAIN. So connections work only to
// addresses the sandbox learned by resolving an allowed name, for any
// protocol, and a policy change applies to the next lookup.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dns from 'dns-packet';
import type { Logger } from '../common/log.js';

/** The response codes the resolver answers with (RFC 1035 §4.1.1). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

interface Query {
  id: number;
  flags: number;
  question: dns.Question;
  /** The asked name, lower-cased, without a final dot. */
  name: string;
}

/** The one question of a query; throws on a malformed message (dns-packet checks every read). */
export function parseQuery(msg: Buffer): Query {
  const p = dns.decode(msg);
  const question = p.questions?.length === 1 ? p.questions[0] : undefined;
  if (!question) throw new Error('expected exactly one question');
  return { id: p.id ?? 0, flags: p.flags ?? 0, question, name: question.name.toLowerCase().replace(/\.$/, '') };
}

/** An answer with no records and `rcode`, echoing the question (none when the query could not be read). */
export function reply(msg: Buffer, q: Query | null, rcode: number): Buffer {
  const id = q?.id ?? (msg.length >= 2 ? msg.readUInt16BE(0) : 0);
  const rd = (q?.flags ?? (msg.length >= 4 ? msg.readUInt16BE(2) : 0)) & dns.RECURSION_DESIRED;
  return dns.encode({
    type: 'response',
    id,
    flags: rd | dns.RECURSION_AVAILABLE | rcode,
    questions: q ? [q.question] : [],
  });
}

/** The IPv4 addresses of an upstream answer's A records. */
export function answerAddresses(msg: Buffer): string[] {
  return (dns.decode(msg).answers ?? []).flatMap((a) => (a.type === 'A' && a.class === 'IN' ? [a.data] : []));
}

/** Whether `name` is allowed by a list of exact names and `*.` wildcards (subdomains only). */
export function domainAllowed(name: string, allowed: string[]): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => (a.startsWith('*.') ? n.endsWith(a.slice(1)) && n.length > a.length - 1 : n === a));
}

export interface ResolverOptions {
  /** Address to listen on (the sandbox bridge's gateway). */
  host: string;
  upstream: { host: string; port: number };
  /** Opens `ips` for the sandbox; awaited before the answer goes out. */
  onResolved: (sandboxId: string, ips: string[]) => Promise<void>;
  timeoutMs?: number;
}

export interface Decision {
  sandboxId: string;
  name: string;
  allowed: boolean;
  addresses: string[];
}

const MAX_DECISIONS = 200;

export class EgressResolver {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly policies = new Map<string, { sandboxId: string; domains: string[] }>();
  /** Recent answers, newest last (diagnostics and tests). */
  readonly decisions: Decision[] = [];
  port = 0;

  constructor(
    private readonly o: ResolverOptions,
    private readonly log: Logger,
  ) {}

  /** Listens on UDP and TCP at one free port of the gateway address. */
  async start(): Promise<number> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const udp = dgram.createSocket('udp4');
      udp.on('error', (e) => this.log.warn('egress resolver socket error', { error: e.message }));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: this.o.host, port: 0 }, () => resolve());
      });
      const port = udp.address().port;
      const tcp = net.createServer((s) => this.serveTcp(s));
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, this.o.host, () => resolve(true));
      });
      if (!ok) {
        udp.close();
        continue;
      }
      udp.on('message', (msg, rinfo) => {
        void this.answer(msg, rinfo.address).then((out) => udp.send(out, rinfo.port, rinfo.address));
      });
      this.udp = udp;
      this.tcp = tcp;
      this.port = port;
      return port;
    }
    throw new Error('no free port for the egress resolver');
  }

  /** Sets (or, with null, clears) the allow-list of the sandbox at `ip`. */
  setPolicy(ip: string, policy: { sandboxId: string; domains: string[] } | null): void {
    for (const [k, v] of this.policies)
      if (policy ? v.sandboxId === policy.sandboxId : k === ip) this.policies.delete(k);
    if (policy && policy.domains.length) this.policies.set(ip, policy);
  }

  forget(sandboxId: string): void {
    for (const [k, v] of this.policies) if (v.sandboxId === sandboxId) this.policies.delete(k);
  }

  private note(d: Decision): void {
    this.decisions.push(d);
    if (this.decisions.length > MAX_DECISIONS) this.decisions.splice(0, this.decisions.length - MAX_DECISIONS);
  }

  /** The answer for one query from `from`. */
  async answer(msg: Buffer, from: string): Promise<Buffer> {
    let q: Query;
    try {
      q = parseQuery(msg);
    } catch {
      return reply(msg, null, RCODE.FORMERR);
    }
    const policy = this.policies.get(from);
    if (!policy) return reply(msg, q, RCODE.REFUSED);
    if (!domainAllowed(q.name, policy.domains)) {
      this.note({ sandboxId: policy.sandboxId, name: q.name, allowed: false, addresses: [] });
      return reply(msg, q, RCODE.NXDOMAIN);
    }
    let out: Buffer;
    try {
      out = await this.forward(msg);
    } catch (e) {
      this.log.warn('egress resolver: upstream failed', { name: q.name, error: (e as Error).message });
      return reply(msg, q, RCODE.SERVFAIL);
    }
    let addresses: string[] = [];
    try {
      addresses = answerAddresses(out);
    } catch {
      return reply(msg, q, RCODE.SERVFAIL);
    }
    // A policy change while the query was out must not open addresses it no longer allows.
    const still = this.policies.get(from);
    if (!still || still.sandboxId !== policy.sandboxId || !domainAllowed(q.name, still.domains))
      return reply(msg, q, RCODE.NXDOMAIN);
    if (addresses.length) {
      try {
        await this.o.onResolved(policy.sandboxId, addresses);
      } catch (e) {
        this.log.warn('egress resolver: could not open resolved addresses', {
          name: q.name,
          error: (e as Error).message,
        });
        return reply(msg, q, RCODE.SERVFAIL);
      }
    }
    this.note({ sandboxId: policy.sandboxId, name: q.name, allowed: true, addresses });
    return out;
  }

  private forward(msg: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      // eslint-disable-next-line no-restricted-globals -- wall clock: a socket deadline for the upstream resolver
      const timer = setTimeout(() => {
        s.close();
        reject(new Error('upstream timed out'));
      }, this.o.timeoutMs ?? 3000);
      s.on('error', (e) => {
        clearTimeout(timer);
        s.close();
        reject(e);
      });
      s.on('message', (m) => {
        if (m.length < 2 || m.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
        clearTimeout(timer);
        s.close();
        resolve(m);
      });
      s.send(msg, this.o.upstream.port, this.o.upstream.host);
    });
  }

  /** DNS over TCP: two-byte length, then the message; several per connection. */
  private serveTcp(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > 70_000) return sock.destroy();
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(Buffer.from(msg), sock.remoteAddress?.replace(/^::ffff:/, '') ?? '').then((out) => {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          if (!sock.destroyed) sock.write(Buffer.concat([len, out]));
        });
      }
    });
  }

  async close(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    this.udp = null;
    this.tcp = null;
  }
}
