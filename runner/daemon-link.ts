// The runner's end of one sandbox's daemon connection. The runner owns the
// listening socket in a host folder the sandbox sees read-only; the daemon
// dials in, proves the per-sandbox secret, and then serves HTTP/2 to us.
import http2 from 'node:http2';
import net from 'node:net';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { HELLO_RE } from '../common/wire/daemon.js';
import { AppError } from '../common/errors.js';
import type { Logger } from '../common/log.js';

const HELLO_TIMEOUT_MS = 5000;

export class DaemonLink {
  private server: net.Server | null = null;
  private session: http2.ClientHttp2Session | null = null;
  private waiters: (() => void)[] = [];
  readonly socketPath: string;

  constructor(
    readonly sandboxId: string,
    readonly runDir: string,
    private readonly secret: string,
    private readonly log: Logger,
  ) {
    this.socketPath = join(runDir, 'runner.sock');
  }

  get connected(): boolean {
    return !!this.session && !this.session.closed && !this.session.destroyed;
  }

  /** (Re)creates the socket; a daemon already running reconnects within a second. */
  async listen(): Promise<void> {
    if (this.server) return;
    mkdirSync(this.runDir, { recursive: true, mode: 0o755 });
    chmodSync(this.runDir, 0o755);
    writeFileSync(join(this.runDir, 'secret'), this.secret, { mode: 0o444 });
    rmSync(this.socketPath, { force: true });
    const server = net.createServer((sock) => this.accept(sock));
    server.on('error', (e) => this.log.warn('daemon socket error', { sandboxId: this.sandboxId, error: e.message }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The daemon runs as the sandbox user; the folder itself is mounted read-only.
    chmodSync(this.socketPath, 0o666);
    this.server = server;
  }

  private accept(sock: net.Socket): void {
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    // eslint-disable-next-line no-restricted-globals -- wall clock: a socket deadline for the daemon's hello
    const timer = setTimeout(() => sock.destroy(), HELLO_TIMEOUT_MS);
    const onReadable = () => {
      let chunk: Buffer | null;
      while ((chunk = sock.read() as Buffer | null) !== null) {
        buf = Buffer.concat([buf, chunk]);
        const nl = buf.indexOf(10);
        if (nl < 0) {
          if (buf.length > 512) sock.destroy();
          continue;
        }
        sock.off('readable', onReadable);
        clearTimeout(timer);
        const rest = buf.subarray(nl + 1);
        if (rest.length) sock.unshift(rest);
        this.adopt(sock, buf.subarray(0, nl).toString('utf8'));
        return;
      }
    };
    sock.on('readable', onReadable);
    sock.on('error', () => {});
  }

  private adopt(sock: net.Socket, hello: string): void {
    const m = HELLO_RE.exec(hello);
    const given = Buffer.from(m?.[3] ?? '');
    const want = Buffer.from(this.secret);
    if (!m || m[2] !== this.sandboxId || given.length !== want.length || !timingSafeEqual(given, want)) {
      this.log.warn('rejected a daemon connection with a bad hello', { sandboxId: this.sandboxId });
      sock.destroy();
      return;
    }
    if (this.connected) {
      // One daemon per sandbox: a second caller is not the daemon we started.
      this.log.warn('rejected a second daemon connection', { sandboxId: this.sandboxId });
      sock.destroy();
      return;
    }
    // What the daemon may send us stays within HTTP/2's 64 KiB default windows. A Node HTTP/2
    // session stops reading while one of its socket writes is pending; when both ends could
    // have more in flight than the socket holds, a command fed and echoing at full speed
    // (`cat`) filled it both ways and the whole connection stopped (REVIEW 40). The daemon's
    // end stays wide, for uploads and stdin (daemon/server.ts).
    const session = http2.connect('http://daemon', { createConnection: () => sock });
    session.on('error', () => {});
    session.once('close', () => {
      if (this.session === session) this.session = null;
    });
    this.session = session;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once a daemon is connected, or rejects after `ms`. */
  waitConnected(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      // eslint-disable-next-line no-restricted-globals -- wall clock: how long a real container takes to start its daemon
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        reject(
          new AppError(
            'unavailable',
            `the daemon of sandbox ${this.sandboxId} did not connect within ${Math.round(ms / 1000)} s`,
            {
              hint: 'the image may not start the injected daemon (check `docker logs berth-<id>`); try starting the sandbox again',
              reason: 'DAEMON_UNREACHABLE',
            },
          ),
        );
      }, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new AppError('unavailable', 'cancelled'));
      });
      this.waiters.push(done);
    });
  }

  /** The live HTTP/2 session to the daemon, or an `unavailable` error. */
  current(): http2.ClientHttp2Session {
    if (!this.connected) {
      throw new AppError('unavailable', `sandbox ${this.sandboxId} is not reachable right now`, {
        hint: 'it may be starting or restarting; retry in a moment, or start it if it is stopped',
        reason: 'DAEMON_UNREACHABLE',
      });
    }
    return this.session!;
  }

  dropSession(): void {
    this.session?.destroy();
    this.session = null;
  }

  async close(removeFiles = false): Promise<void> {
    this.session?.destroy();
    this.session = null;
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (removeFiles) rmSync(this.runDir, { recursive: true, force: true });
    else rmSync(this.socketPath, { force: true });
  }
}
