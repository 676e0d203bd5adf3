// One SSH connection: login (an access token as the user name, or a person's
// key with `ssh <sandbox>@host`), then its channels: sessions (shell, exec,
// sftp), local forwarding (-L), and refused remote forwarding (-R). The
// orchestrator decides who gets in and when the session must end; this file
// only speaks SSH.
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AuthContext, Connection as Ssh2Connection } from 'ssh2';
import { AppError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { SshGateway, type SshLogin, type SshSource } from '../../orchestrator/index.js';
import { openForward } from './forward.js';
import { SessionChannel } from './session.js';
import type { SshGatewayDeps } from './server.js';

/** Auth requests one connection may make (OpenSSH's MaxAuthTries is 6; key agents offer several keys). */
const MAX_AUTH_ATTEMPTS = 20;
/** Channels open at once on one connection. */
const MAX_CHANNELS = 64;
/** Between closing a connection's channels (with the reason) and the connection itself. */
const CLOSE_GRACE_MS = 200;

/** What a session shows instead of a shell when the login cannot reach its sandbox. */
export const describe = (e: unknown): string => {
  const err =
    e instanceof AppError ? e : new AppError('internal', 'internal error', { hint: 'the server log has the details' });
  return `berth: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}\n`;
};

export class Connection {
  readonly source: SshSource;
  login: SshLogin | null = null;
  /** Set when the session cannot go on (not started, not found, revoked): channels print it and exit. */
  refusal: AppError | null = null;
  /** Resolves once the sandbox is held open (or the refusal is known). */
  ready: Promise<void> = Promise.resolve();
  /** Remote forwards asked for and refused, to explain in the next session. */
  refusedForwards: string[] = [];
  private attempts = 0;
  private tokenTried = false;
  private channels = 0;
  private readonly sessions = new Set<SessionChannel>();
  private hold: { end: () => void } | null = null;
  private unwatch: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly d: SshGatewayDeps,
    readonly client: Ssh2Connection,
    peer: { ip: string; socket: net.Socket },
    readonly log: Logger,
    onLoggedIn: () => void,
  ) {
    this.source = { ip: peer.ip, connectionId: `ssh-${randomUUID().slice(0, 8)}` };
    client.on('error', (e: Error & { level?: string }) =>
      log.debug('ssh connection error', { ip: peer.ip, error: e.message, level: e.level }),
    );
    client.on('authentication', (ctx) => void this.authenticate(ctx));
    client.on('ready', () => {
      onLoggedIn();
      this.ready = this.start();
    });
    client.on('session', (accept, reject) => {
      if (!this.take()) return reject();
      const s = new SessionChannel(this, accept());
      this.sessions.add(s);
      s.closed.then(() => this.release(s));
    });
    client.on('tcpip', (accept, reject, info) => {
      if (!this.take()) return reject();
      void openForward(this, accept, reject, info).finally(() => this.release());
    });
    client.on('request', (accept, reject, name, info) => {
      // Remote forwarding would listen on the gateway's host for the sandbox: not offered.
      if (name === 'tcpip-forward' || (name as string) === 'streamlocal-forward@openssh.com') {
        const i = info as { bindAddr?: string; bindPort?: number; socketPath?: string };
        this.refusedForwards.push(i.socketPath ?? `${i.bindAddr || '*'}:${i.bindPort}`);
      }
      reject?.();
    });
    client.on('close', () => this.cleanup());
  }

  private take(): boolean {
    if (this.closed || this.channels >= MAX_CHANNELS) return false;
    this.channels++;
    return true;
  }

  private release(s?: SessionChannel): void {
    this.channels--;
    if (s) this.sessions.delete(s);
  }

  private async authenticate(ctx: AuthContext): Promise<void> {
    if (++this.attempts > MAX_AUTH_ATTEMPTS) {
      ctx.reject();
      this.client.end();
      return;
    }
    const gateway = this.d.orch.ssh.gateway;
    try {
      if (SshGateway.isToken(ctx.username)) {
        // Any method will do with a token as the user name; a wrong token counts once per connection.
        if (this.tokenTried) return ctx.reject(['publickey']);
        this.tokenTried = true;
        this.login = await gateway.loginWithToken(ctx.username, this.source);
        return ctx.accept();
      }
      if (ctx.method !== 'publickey') return ctx.reject(['publickey']);
      if (!ctx.signature || !ctx.blob)
        return (await gateway.keyRegistered(ctx.key.data)) ? ctx.accept() : ctx.reject(['publickey']);
      const parsed = ssh2.utils.parseKey(ctx.key.data);
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (!key || key instanceof Error || !key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) {
        this.log.warn('ssh login: bad key signature', { ip: this.source.ip });
        return ctx.reject(['publickey']);
      }
      const r = await gateway.loginWithKey(ctx.username, ctx.key.data, this.source);
      if ('refused' in r) this.refusal = r.refused;
      else this.login = r;
      ctx.accept();
    } catch (e) {
      ctx.reject(['publickey']);
      // Past the failed-login limit the address is refused outright.
      if (e instanceof AppError && e.code === 'rate_limited') {
        this.log.warn('ssh: failed-login limit reached; disconnecting', { ip: this.source.ip });
        this.client.end();
      } else if (!(e instanceof AppError))
        this.log.error('ssh login failed unexpectedly', {
          ip: this.source.ip,
          error: (e as Error)?.stack ?? String(e),
        });
    }
  }

  /** After login: hold the sandbox open and watch for what ends the session. */
  private async start(): Promise<void> {
    const login = this.login;
    if (!login) return;
    this.unwatch = this.d.orch.ssh.gateway.watch(login, (reason) => this.close(reason));
    try {
      const hold = await this.d.orch.ssh.gateway.open(login);
      if (this.closed) hold.end();
      else this.hold = hold;
    } catch (e) {
      this.refusal = e instanceof AppError ? e : new AppError('internal', 'internal error');
      if (!(e instanceof AppError))
        this.log.error('ssh session could not start', { error: (e as Error)?.stack ?? String(e) });
    }
  }

  /**
   * Ends the connection, telling open sessions why (revoked, deleted, shutting
   * down): their channels close first with the reason on stderr (a client
   * that sees the disconnect first may drop what it had not printed yet), the
   * connection a moment later.
   */
  close(reason: string): void {
    if (this.closed) return;
    for (const s of this.sessions) s.endWith(`berth: ${reason}; closing the connection\n`);
    this.log.info('ssh session ended by the server', {
      ip: this.source.ip,
      reason,
      connection: this.source.connectionId,
    });
    this.cleanup();
    setTimeout(() => this.client.end(), CLOSE_GRACE_MS).unref();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sessions) s.dispose();
    this.unwatch?.();
    this.hold?.end();
    this.hold = null;
  }
}
