// The API's end of runner links. A runner's upgrade (http/runner-link.ts) is
// admitted here by its token, under a lease naming this replica (Redis with
// REDIS_URL, so replicas agree on who holds which runner's link; in process
// otherwise). The upgraded socket then carries HTTP/2 with this side as the
// client: GET /info registers the runner, GET /usage every heartbeat stores
// its usage and when it was seen. Removing a runner closes its link at once.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { RunnerCapacity, RunnerUsage } from '../../common/wire/runner-link.js';
import type { Bus } from '../bus/index.js';
import type { Lease, Locks } from '../lock/index.js';
import { RUNNER_REMOVED, type RunnerService } from './service.js';
import { RemoteRunnerClient } from '../../runner/remote/client.js';
import type { RunnerClient } from '../../common/wire/runner.js';

export interface RunnerLinksDeps {
  runners: RunnerService;
  locks: Locks;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** A runner not heard from for this long is unreachable; heartbeats come well within it. */
  timeoutMs: number;
  /** This API replica, as recorded in the link's lease. */
  replicaId: string;
}

/** A runner whose upgrade was admitted: `accept` takes the socket once `101` is written. */
export interface AdmittedLink {
  runnerId: string;
  name: string;
  accept(socket: Duplex, head: Buffer): void;
  /** The upgrade failed before `accept`: releases the lease. */
  cancel(): void;
}

interface Live {
  name: string;
  session: http2.ClientHttp2Session;
  lease: Lease;
  /** A heartbeat is in flight: the next one waits its turn instead of piling up. */
  beating?: boolean;
}

const leaseKey = (runnerId: string) => `runner-link:${runnerId}`;

export class RunnerLinks {
  private readonly live = new Map<string, Live>();
  private beat: Timer | null = null;
  private readonly offRemoved: () => void;

  constructor(private readonly d: RunnerLinksDeps) {
    this.offRemoved = d.bus.subscribe(RUNNER_REMOVED, (ev) => this.drop((ev as { id: string }).id, 'runner removed'));
  }

  private get heartbeatMs(): number {
    return Math.min(5_000, this.d.timeoutMs / 3);
  }

  /** Checks a runner's token and takes its link's lease; throws `unauthorized` or `conflict`. */
  async admit(token: string | undefined): Promise<AdmittedLink> {
    const runner = token ? await this.d.runners.byToken(token) : null;
    if (!runner) {
      this.d.log.warn('runner link refused: unknown or revoked token');
      throw new AppError('unauthorized', 'unknown or revoked runner token', {
        hint: 'make a token with `berth runner token create --name NAME`; start the runner with BERTH_RUNNER_TOKEN',
      });
    }
    const lease = await this.d.locks.acquire(leaseKey(runner.id), this.d.timeoutMs, this.d.replicaId);
    if (!lease) {
      const replica = await this.d.locks.owner(leaseKey(runner.id)).catch(() => null);
      throw new AppError('conflict', `runner ${runner.name} already has a live link`, {
        hint: 'each runner token is for one `berth runner`; this one retries in case the other link is dead',
        details: { replica },
      });
    }
    return {
      runnerId: runner.id,
      name: runner.name,
      accept: (socket, head) => this.accept(runner.id, runner.name, lease, socket, head),
      cancel: () => void lease.release(),
    };
  }

  /**
   * The runner behind a link to this replica, as a RunnerClient (its calls fail
   * `unavailable` while it is not linked here). Placement (a later slice) picks runners.
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

  private accept(id: string, name: string, lease: Lease, socket: Duplex, head: Buffer): void {
    if (head.length) socket.unshift(head);
    this.drop(id, 'replaced by a new link');
    const session = http2.connect('http://runner.invalid', { createConnection: () => socket });
    const link: Live = { name, session, lease };
    this.live.set(id, link);
    // The HTTP server's sockets are half-open: a runner that went away must end the session here.
    socket.once('end', () => session.destroy());
    lease.keepAlive(this.d.timeoutMs);
    session.on('error', (e) => this.d.log.warn('runner link error', { runner: name, error: e.message }));
    session.once('close', () => {
      void lease.release();
      if (this.live.get(id) === link) this.live.delete(id);
      this.d.log.info('runner link closed', { runner: name });
      if (!this.live.size) {
        this.beat?.clear();
        this.beat = null;
      }
    });
    this.d.log.info('runner linked', { runner: name });
    void this.register(id, link);
    this.beat ??= this.d.clock.setInterval(() => void this.heartbeat(), this.heartbeatMs).unref();
  }

  private async register(id: string, link: Live): Promise<void> {
    try {
      const info = await this.get<RunnerCapacity>(link.session, '/info');
      if (!(await this.d.runners.registered(id, info))) return this.drop(id, 'runner removed');
      await this.beatOne(id, link);
    } catch (e) {
      this.d.log.warn('runner registration failed', { runner: link.name, error: (e as Error).message });
      link.session.destroy();
    }
  }

  private async heartbeat(): Promise<void> {
    await Promise.all([...this.live].map(([id, link]) => this.beatOne(id, link)));
  }

  private async beatOne(id: string, link: Live): Promise<void> {
    if (link.beating) return;
    link.beating = true;
    try {
      const usage = await this.get<RunnerUsage>(link.session, '/usage');
      if (!(await this.d.runners.heartbeat(id, usage))) this.drop(id, 'runner removed');
    } catch (e) {
      // A runner that does not answer within the timeout is gone: let it dial again.
      this.d.log.warn('runner heartbeat failed', { runner: link.name, error: (e as Error).message });
      link.session.destroy();
    } finally {
      link.beating = false;
    }
  }

  /** One JSON GET on the link, within the runner timeout. */
  private get<T>(session: http2.ClientHttp2Session, path: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = session.request({ ':method': 'GET', ':path': path });
      // A socket deadline, on the socket's own (real) time.
      req.setTimeout(this.d.timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
      const chunks: Buffer[] = [];
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', reject);
      req.on('close', () => {
        if (status !== 200) return reject(new Error(`GET ${path}: ${status ? `status ${status}` : 'no answer'}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (e) {
          reject(e as Error);
        }
      });
      req.end();
    });
  }

  /** Closes a runner's link on this replica, if it holds one. */
  drop(id: string, why: string): void {
    const link = this.live.get(id);
    if (!link) return;
    this.live.delete(id);
    this.d.log.info('closing runner link', { runner: link.name, why });
    link.session.destroy();
  }

  close(): void {
    this.offRemoved();
    this.beat?.clear();
    this.beat = null;
    for (const id of [...this.live.keys()]) this.drop(id, 'server shutting down');
  }
}
