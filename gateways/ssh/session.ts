// A session channel: env and pty requests first, then one of a shell
// (`ssh host`, `ssh -tt host`), a command (`ssh host cmd`), or the sftp
// subsystem (sftp, scp). Shells and commands run through the orchestrator's
// interactive exec; sftp maps onto the sandbox's file API (sftp.ts).
import type { PseudoTtyInfo, ServerChannel, Session } from 'ssh2';
import { AppError } from '../../common/errors.js';
import { envName } from '../../common/wire/daemon.js';
import { ATTACH_SIGNALS, type ExecAttachRequest } from '../../common/wire/exec-attach.js';
import { PTY_MAX_DIMENSION } from '../../common/wire/pty.js';
import type { ExecAttachment } from '../../orchestrator/index.js';
import { describe, type Connection } from './connection.js';
import { bridge } from './exec-bridge.js';
import { serveSftp } from './sftp.js';

/** The user's login shell from the sandbox's /etc/passwd (any image with /bin/sh; no getent or awk needed). */
const LOGIN_SHELL =
  'u=$(id -u 2>/dev/null); s=; if [ -n "$u" ] && [ -r /etc/passwd ]; then while IFS=: read -r _n _p i _g _c _h sh; do if [ "$i" = "$u" ]; then s=$sh; break; fi; done < /etc/passwd; fi; [ -n "$s" ] && [ -x "$s" ] || s=/bin/sh; SHELL=$s; export SHELL; exec "$s" -l';

const MAX_ENV = 64;
const MAX_ENV_VALUE = 32 * 1024;
const clamp = (n: number) => Math.min(Math.max(Math.floor(n) || 80, 1), PTY_MAX_DIMENSION);

export class SessionChannel {
  private readonly env: Record<string, string> = {};
  private pty: { cols: number; rows: number; term?: string } | null = null;
  private running: ExecAttachment | null = null;
  private channel: ServerChannel | null = null;
  private finish!: () => void;
  /** Resolves once the channel is done (for the connection's channel count). */
  readonly closed = new Promise<void>((r) => (this.finish = r));

  constructor(
    private readonly conn: Connection,
    session: Session,
  ) {
    session.on('env', (accept, reject, info) => {
      const ok =
        Object.keys(this.env).length < MAX_ENV &&
        envName.safeParse(info.key).success &&
        info.val.length <= MAX_ENV_VALUE &&
        !info.val.includes('\0');
      if (ok) this.env[info.key] = info.val;
      (ok ? accept : reject)?.();
    });
    session.on('pty', (accept, _reject, info: PseudoTtyInfo) => {
      const term = /^[A-Za-z0-9._+-]{1,64}$/.test(info.term ?? '') ? info.term : undefined;
      this.pty = { cols: clamp(info.cols), rows: clamp(info.rows), term };
      accept?.();
    });
    session.on('window-change', (accept, _reject, info) => {
      if (this.pty) this.pty = { ...this.pty, cols: clamp(info.cols), rows: clamp(info.rows) };
      if (this.pty && this.running) this.running.resize(this.pty.cols, this.pty.rows);
      accept?.();
    });
    session.on('signal', (accept, reject, info) => {
      const name = String(info.name).replace(/^SIG/, '') as (typeof ATTACH_SIGNALS)[number];
      if (!this.running || !ATTACH_SIGNALS.includes(name)) return reject?.();
      this.running.signal(name);
      accept?.();
    });
    session.on('shell', (accept) => void this.run(accept(), { command: LOGIN_SHELL }, 'shell'));
    session.on('exec', (accept, _reject, info) => void this.run(accept(), { command: info.command }, 'exec'));
    session.on('sftp', (accept) => void this.sftp(accept));
    session.on('close', () => this.dispose());
  }

  /** A line on the client's stderr (the -R refusal). */
  notice(text: string): void {
    if (this.channel?.writable) this.channel.stderr.write(this.pty ? text.replace(/\n/g, '\r\n') : text);
  }

  /** Ends the channel with a reason on stderr (revocation, shutdown): the client prints it before the connection goes. */
  endWith(text: string): void {
    const ch = this.channel;
    this.running?.close();
    if (!ch?.writable) return;
    this.notice(text);
    ch.exit(255);
    ch.end();
  }

  /** Prints why there is no shell, and ends the channel with status 1. */
  private refuse(ch: ServerChannel, e: unknown): void {
    const text = describe(e);
    ch.stderr.write(this.pty ? text.replace(/\n/g, '\r\n') : text);
    ch.exit(1);
    ch.end();
  }

  private async run(ch: ServerChannel, req: { command: string }, kind: 'shell' | 'exec'): Promise<void> {
    this.channel = ch;
    ch.once('close', () => this.dispose());
    await this.conn.ready;
    const login = this.conn.login;
    if (this.conn.refusedForwards.length) {
      this.notice(
        `berth: remote port forwarding (-R ${this.conn.refusedForwards.join(', ')}) is not offered by this server; use -L to reach ports in the sandbox, or its preview URLs\n`,
      );
      this.conn.refusedForwards = [];
    }
    if (!login || this.conn.refusal)
      return this.refuse(ch, this.conn.refusal ?? new AppError('unauthorized', 'not logged in'));
    const request: ExecAttachRequest = {
      command: req.command,
      env: { ...this.env },
      ...(this.pty ? { pty: this.pty } : {}),
    };
    let attached: { value: ExecAttachment; end: () => void };
    try {
      attached = await this.conn.d.orch.ssh.gateway.exec(login, request, kind);
    } catch (e) {
      if (!(e instanceof AppError)) this.conn.log.error('ssh exec failed', { error: (e as Error)?.stack ?? String(e) });
      return this.refuse(ch, e);
    }
    if (!ch.writable) {
      attached.value.close();
      attached.end();
      return;
    }
    this.running = attached.value;
    await bridge(ch, attached.value, !!this.pty);
    this.running = null;
    attached.end();
  }

  /** Accepted at once: the client sends its first SFTP packet right behind the request. */
  private sftp(accept: () => import('ssh2').SFTPWrapper): void {
    const sftp = accept();
    sftp.once('close', () => this.dispose());
    serveSftp(this.conn, sftp);
  }

  /** The channel or the connection is gone: stop what runs for it. */
  dispose(): void {
    this.running?.close();
    this.finish();
  }
}
