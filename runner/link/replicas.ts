// The runner's links to the API: one to each API replica, so every replica
// reaches this runner directly (docs/scale-out.md, "Replicas and links").
// BERTH_API_URL is the entry point, dialed always (it may be a load balancer).
// Each linked replica posts the live replicas (POST /replicas); the runner
// wants the union of the lists its links last posted, dials each wanted
// replica it lacks at that replica's own URL, and stops dialing one no linked
// replica lists any more. A link that reaches a replica already linked is
// closed at once; that counts as a failed dial, so the entry point backs off
// (0.5 s doubling to 30 s) instead of looping while every replica is linked;
// a dial that fails, or a link that ends, waits at most 5 s.
import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import { z } from 'zod';
import { AppError, HTTP_STATUS } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { REPLICAS_PATH, type LinkReplica } from '../../common/wire/runner-link.js';
import { LinkAgent, type LinkStreamHandler } from './agent.js';

export interface ReplicaLinksOptions {
  /** BERTH_API_URL: scheme, host, port. */
  apiUrl: string;
  token: string;
  onStream: LinkStreamHandler;
  clock: Clock;
  log: Logger;
  backoffMs?: { min: number; max: number };
}

const MAX_LIST_BYTES = 64 << 10;
const ReplicaList = z.object({
  replicas: z
    .array(
      z.object({
        id: z.string().min(1).max(128),
        url: z
          .string()
          .url()
          .refine((u) => /^https?:$/.test(new URL(u).protocol), 'an http(s) URL'),
      }),
    )
    .max(256),
});

export class ReplicaLinks {
  /** This process, as the API tells it from another `berth runner` with the same token. */
  readonly instance = randomBytes(16).toString('hex');
  private readonly entry: LinkAgent;
  /** Agents dialing one listed replica each, by replica id. */
  private readonly agents = new Map<string, LinkAgent>();
  /** Which agent holds the link to each linked replica. */
  private readonly held = new Map<string, LinkAgent>();
  /** The replica list each linked replica last posted. */
  private readonly lists = new Map<string, LinkReplica[]>();
  /** Union of the lists: replica id → URL. */
  private wanted = new Map<string, string>();
  private everLinked = false;
  private stopped = false;
  private readonly warnedPlain = new Set<string>();

  constructor(private readonly o: ReplicaLinksOptions) {
    this.entry = this.agent(o.apiUrl, () => true);
  }

  /** Dials until stopped; rejects when the API refused the token before the runner ever linked. */
  async run(): Promise<void> {
    try {
      await this.entry.run();
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.stopped = true;
    this.entry.stop();
    for (const a of this.agents.values()) a.stop();
    this.agents.clear();
  }

  /** Replicas linked now (their ids). */
  linked(): string[] {
    return [...this.held.keys()];
  }

  /** An agent for `url` that keeps a link only to a replica `wants` and this runner lacks. */
  private agent(url: string, wants: (replica: string) => boolean): LinkAgent {
    const agent: LinkAgent = new LinkAgent({
      apiUrl: url,
      token: this.o.token,
      instance: this.instance,
      clock: this.o.clock,
      log: this.o.log,
      backoffMs: this.o.backoffMs,
      onStream: (stream, headers) =>
        headers[':method'] === 'POST' && headers[':path'] === REPLICAS_PATH
          ? this.listed(agent, stream)
          : this.o.onStream(stream, headers),
      fatalRefusal: () => agent === this.entry && !this.everLinked,
      admit: (replica) => {
        if (this.stopped || this.held.has(replica) || !wants(replica)) return false;
        this.held.set(replica, agent);
        this.everLinked = true;
        return true;
      },
      ended: (replica) => {
        if (this.held.get(replica) === agent) this.held.delete(replica);
        this.lists.delete(replica);
        this.reconcile();
      },
    });
    return agent;
  }

  /** POST /replicas on the link of `agent`: the live replicas as that replica sees them. */
  private async listed(agent: LinkAgent, stream: http2.ServerHttp2Stream): Promise<void> {
    stream.on('error', () => {});
    try {
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const c of stream) {
        n += (c as Buffer).length;
        if (n > MAX_LIST_BYTES) throw new AppError('payload_too_large', `replica list over ${MAX_LIST_BYTES} bytes`);
        chunks.push(c as Buffer);
      }
      const parsed = ReplicaList.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      if (!parsed.success) throw new AppError('invalid_argument', 'a replica list is {replicas: [{id, url}]}');
      const from = agent.replica;
      if (from && this.held.get(from) === agent && !this.stopped) {
        this.lists.set(from, parsed.data.replicas);
        this.reconcile();
      }
      if (!stream.destroyed) stream.respond({ ':status': 204 }, { endStream: true });
    } catch (e) {
      const err = e instanceof AppError ? e : new AppError('invalid_argument', (e as Error).message);
      if (stream.destroyed) return;
      stream.respond({ ':status': HTTP_STATUS[err.code], 'content-type': 'application/json' });
      stream.end(JSON.stringify(err.toJSON()));
    }
  }

  /** Dials each wanted replica it lacks; stops dialing those no linked replica lists. */
  private reconcile(): void {
    if (this.stopped) return;
    const wanted = new Map<string, string>();
    for (const list of this.lists.values()) for (const r of list) wanted.set(r.id, r.url);
    this.wanted = wanted;
    for (const [id, agent] of this.agents) {
      const holder = this.held.get(id);
      // Not listed any more, or linked through the entry point meanwhile.
      if (!wanted.has(id) || (holder && holder !== agent)) {
        this.agents.delete(id);
        agent.stop();
        if (!wanted.has(id)) this.o.log.info('replica left; link dropped', { replica: id });
      }
    }
    for (const [id, url] of wanted) {
      if (this.held.has(id) || this.agents.has(id)) continue;
      this.warnIfPlain(url);
      const agent = this.agent(url, (replica) => {
        if (replica === id) return true;
        // A replica restarted on the same URL (the old id drops off the lists within the timeout),
        // or replicas sharing one URL, which they log themselves.
        if (this.wanted.get(replica) === url) return false;
        this.o.log.warn('a replica URL reached another replica', {
          url,
          listedAs: id,
          reached: replica,
          hint: 'set BERTH_REPLICA_URL on each API replica to an address of that replica itself',
        });
        return false;
      });
      this.agents.set(id, agent);
      this.o.log.info('linking to replica', { replica: id, url });
      void agent.run().catch(() => {});
    }
  }

  /** The token goes to every replica URL: say so when TLS to the entry point would not protect it. */
  private warnIfPlain(url: string): void {
    if (!this.o.apiUrl.startsWith('https:') || !url.startsWith('http:') || this.warnedPlain.has(url)) return;
    this.warnedPlain.add(url);
    this.o.log.warn('a replica URL is plain http while BERTH_API_URL is https: the runner token crosses unencrypted', {
      url,
      hint: 'give each replica an https BERTH_REPLICA_URL, or keep the replicas on a trusted network',
    });
  }
}
