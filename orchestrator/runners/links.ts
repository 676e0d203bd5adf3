// The API's end of runner links. A runner's upgrade (http/runner-link.ts) is
// admitted here by its token and its process's instance id (one `berth runner`
// per token: ./instances.ts). The upgraded socket then carries HTTP/2 with
// this side as the client: GET /info registers the runner, GET /usage every
// heartbeat stores its usage and when it was seen, and POST /replicas tells it
// the live API replicas (./replicas.ts), so it keeps one link to each and
// every replica reaches every runner directly. Removing a runner closes its
// links on every replica at once (through the bus).
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import {
  REPLICAS_PATH,
  type LinkReplica,
  type RunnerCapacity,
  type RunnerUsage,
} from '../../common/wire/runner-link.js';
import type { Bus } from '../bus/index.js';
import type { Locks } from '../lock/index.js';
import type { Store } from '../store/db.js';
import { RUNNER_REMOVED, type RunnerService } from './service.js';
import { RunnerInstances } from './instances.js';
import { ReplicaRegistry } from './replicas.js';
import { RemoteRunnerClient } from '../../runner/remote/client.js';
import type { RunnerClient } from '../../common/wire/runner.js';

export interface RunnerLinksDeps {
  runners: RunnerService;
  store: Store;
  locks: Locks;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** A runner not heard from for this long is unreachable; heartbeats come well within it. */
  timeoutMs: number;
  /** This API replica. */
  replicaId: string;
  /** Where runner hosts reach this replica (BERTH_REPLICA_URL, else the public URL). */
  replicaUrl: string;
  /** Told when a runner has linked and reported (its sandboxes can be looked at now). */
  onLinked?: (runnerId: string) => void;
}

/** A runner whose upgrade was admitted: `claim`, then `accept` takes the socket once `101` is written. */
export interface AdmittedLink {
  runnerId: string;
  name: string;
  /** This replica's id, for the `101` (the runner may have dialed a load balancer). */
  replicaId: string;
  /** Claims the runner for the dialing process; `conflict` while another `berth runner` holds it. */
  claim(instance: string | undefined): Promise<void>;
  accept(socket: Duplex, head: Buffer): void;
  /** The upgrade failed before `accept`. */
  cancel(): void;
}

interface Live {
  name: string;
  /** The `berth runner` process at the other end. */
  instance: string;
  session: http2.ClientHttp2Session;
  /** A heartbeat is in flight: the next one waits its turn instead of piling up. */
  beating?: boolean;
}

const INSTANCE_RE = /^[A-Za-z0-9_-]{8,128}$/;

export class RunnerLinks {
  /** Registered links, one per runner: a newer one of the same runner replaces it once it registers. */
  private readonly live = new Map<string, Live>();
  private beat: Timer | null = null;
  private readonly offRemoved: () => void;
  private readonly instances: RunnerInstances;
  private readonly replicas: ReplicaRegistry;
  private closing: Promise<void> | null = null;

  constructor(private readonly d: RunnerLinksDeps) {
    this.offRemoved = d.bus.subscribe(RUNNER_REMOVED, (ev) => this.drop((ev as { id: string }).id, 'runner removed'));
    this.instances = new RunnerInstances(d.locks, d.timeoutMs);
    this.replicas = new ReplicaRegistry({
      store: d.store,
      clock: d.clock,
      log: d.log,
      self: { id: d.replicaId, url: d.replicaUrl.replace(/\/+$/, '').replace(/\/api$/, '') },
      ttlMs: d.timeoutMs,
      intervalMs: this.heartbeatMs,
    });
    this.replicas.onChange((list) => {
      for (const link of this.live.values()) void this.sendReplicas(link, list);
    });
  }

  private get heartbeatMs(): number {
    return Math.min(5_000, this.d.timeoutMs / 3);
  }

  /**
   * This replica takes runner links from now on: it is listed to runners until
   * `close`. Without Redis there is one replica (the leases are in process), which lists only itself.
   */
  open(): void {
    if (this.d.locks.kind === 'redis') this.replicas.start();
  }

  /** Checks a runner's token; throws `unauthorized`. */
  async admit(token: string | undefined): Promise<AdmittedLink> {
    const runner = token ? await this.d.runners.byToken(token) : null;
    if (!runner) {
      this.d.log.warn('runner link refused: unknown or revoked token');
      throw new AppError('unauthorized', 'unknown or revoked runner token', {
        hint: 'make a token with `berth runner token create --name NAME`; start the runner with BERTH_RUNNER_TOKEN',
      });
    }
    let instance: string | null = null;
    return {
      runnerId: runner.id,
      name: runner.name,
      replicaId: this.d.replicaId,
      claim: async (given) => {
        if (!given || !INSTANCE_RE.test(given))
          throw new AppError('invalid_argument', 'a runner link names its `berth runner` process', {
            hint: 'run `berth runner` of the same version as the server',
          });
        if (!(await this.instances.claim(runner.id, given))) {
          throw new AppError('conflict', `runner ${runner.name} already has a live link from another process`, {
            hint: 'each runner token is for one `berth runner`; this one retries in case the other is gone',
            details: { instance: await this.instances.holder(runner.id) },
          });
        }
        instance = given;
      },
      accept: (socket, head) => {
        if (!instance) throw new AppError('internal', 'runner link accepted before it was claimed');
        this.accept(runner.id, { name: runner.name, instance, session: this.connect(socket, head) });
      },
      cancel: () => {
        if (instance && !this.live.has(runner.id)) void this.instances.release(runner.id, instance);
      },
    };
  }

  /**
   * The runner behind its link to this replica, as a RunnerClient (its calls
   * fail `unavailable` while it is not linked here). A runner links to every
   * replica, so any replica reaches any linked runner.
   */
  client(runnerId: string): RunnerClient {
    return new RemoteRunnerClient(runnerId, () => {
      const link = this.live.get(runnerId);
      if (!link || link.session.closed || link.session.destroyed)
        throw new AppError('unavailable', `runner ${runnerId} is not linked to this server`, {
          hint: 'check it with GET /api/runners; it dials again by itself when it can',
        });
      return link.session;
    });
  }

  /** Runners linked to this replica right now. */
  linked(): string[] {
    return [...this.live.keys()];
  }

  private connect(socket: Duplex, head: Buffer): http2.ClientHttp2Session {
    if (head.length) socket.unshift(head);
    const session = http2.connect('http://runner.invalid', { createConnection: () => socket });
    // The HTTP server's sockets are half-open: a runner that went away must end the session here.
    socket.once('end', () => session.destroy());
    return session;
  }

  private accept(id: string, link: Live): void {
    link.session.on('error', (e) => this.d.log.debug('runner link error', { runner: link.name, error: e.message }));
    link.session.once('close', () => {
      if (this.live.get(id) === link) {
        this.live.delete(id);
        this.d.log.info('runner link closed', { runner: link.name });
      }
      // This replica's last link of that process: a restarted runner may link at once.
      if (!this.live.has(id)) void this.instances.release(id, link.instance);
      if (!this.live.size) {
        this.beat?.clear();
        this.beat = null;
      }
    });
    void this.register(id, link);
  }

  /**
   * Registers a new link, then makes it the runner's link here. Until then an
   * older link stays: a runner closes at once a link that reached a replica it
   * already has (it dialed a load balancer), and that must not cut the one it keeps.
   */
  private async register(id: string, link: Live): Promise<void> {
    try {
      const info = await this.get<RunnerCapacity>(link.session, '/info');
      if (!(await this.d.runners.registered(id, info))) return void link.session.destroy();
    } catch (e) {
      this.d.log.debug('runner link ended before it registered', { runner: link.name, error: (e as Error).message });
      return void link.session.destroy();
    }
    const old = this.live.get(id);
    this.live.set(id, link);
    if (old) {
      this.d.log.info('closing runner link', { runner: old.name, why: 'replaced by a new link' });
      old.session.destroy();
    }
    this.d.log.info('runner linked', { runner: link.name, replica: this.d.replicaId });
    this.beat ??= this.d.clock.setInterval(() => void this.heartbeat(), this.heartbeatMs).unref();
    await this.beatOne(id, link);
    if (this.live.get(id) === link) this.d.onLinked?.(id);
  }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.live].map(([id, link]) => this.beatOne(id, link)));
  }

  private async beatOne(id: string, link: Live): Promise<void> {
    if (link.beating) return;
    link.beating = true;
    try {
      const usage = await this.get<RunnerUsage>(link.session, '/usage');
      if (!(await this.d.runners.heartbeat(id, usage))) return this.drop(id, 'runner removed');
      if (!(await this.instances.claim(id, link.instance)))
        return this.drop(id, 'another `berth runner` process holds this runner');
      await this.sendReplicas(link, this.replicas.list());
    } catch (e) {
      // A runner that does not answer within the timeout is gone: let it dial again.
      this.d.log.warn('runner heartbeat failed', { runner: link.name, error: (e as Error).message });
      link.session.destroy();
    } finally {
      link.beating = false;
    }
  }

  /** Tells the runner the live replicas; it links to each (a failure waits for the next heartbeat). */
  private async sendReplicas(link: Live, replicas: LinkReplica[]): Promise<void> {
    await this.request(link.session, 'POST', REPLICAS_PATH, JSON.stringify({ replicas })).catch((e: Error) =>
      this.d.log.debug('replica list not delivered', { runner: link.name, error: e.message }),
    );
  }

  private async get<T>(session: http2.ClientHttp2Session, path: string): Promise<T> {
    return JSON.parse(await this.request(session, 'GET', path)) as T;
  }

  /** One request on the link, within the runner timeout; the answer's text on 2xx. */
  private request(session: http2.ClientHttp2Session, method: string, path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = session.request({
        ':method': method,
        ':path': path,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      });
      // A socket deadline, on the socket's own (real) time.
      req.setTimeout(this.d.timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
      const chunks: Buffer[] = [];
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', reject);
      req.on('close', () => {
        if (status >= 200 && status < 300) return resolve(Buffer.concat(chunks).toString('utf8'));
        reject(new Error(`${method} ${path}: ${status ? `status ${status}` : 'no answer'}`));
      });
      req.end(body);
    });
  }

  /** Closes a runner's link to this replica, if it has one. */
  drop(id: string, why: string): void {
    const link = this.live.get(id);
    if (!link) return;
    this.live.delete(id);
    this.d.log.info('closing runner link', { runner: link.name, why });
    link.session.destroy();
  }

  /** Closes this replica's links and takes it off the list runners link to. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.offRemoved();
      this.beat?.clear();
      this.beat = null;
      for (const id of [...this.live.keys()]) this.drop(id, 'server shutting down');
      await this.replicas.close();
      await this.instances.close();
    })();
    return this.closing;
  }
}
