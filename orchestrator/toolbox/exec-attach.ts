// Interactive commands for frontends that hold a live client (SSH exec and
// shells with a command, `berth sandbox exec` with stdin): the daemon's framed
// conversation (common/wire/exec-attach.ts) as typed calls. Needs
// write:sandboxes (it runs code) and is audited like every change.
import { AppError } from '../../common/errors.js';
import {
  EXEC_ATTACH_HEADER,
  EXEC_ATTACH_PATH,
  ExecAttachRequest,
  STDERR,
  type ExecAttachControl,
  type ExecAttachEvent,
} from '../../common/wire/exec-attach.js';
import type { Principal } from '../principal.js';
import { openChannel, type MessageChannel } from './channel.js';
import type { ToolboxAccess } from './index.js';

export interface ExecExitStatus {
  exitCode: number;
  /** The signal's name (e.g. SIGKILL) when a signal ended the command. */
  signal: string | null;
}

/** A running command: feed stdin, watch output, get the exit once. */
export class ExecAttachment {
  private readonly outHandlers: ((stream: 'stdout' | 'stderr', data: Buffer) => void)[] = [];
  private exitStatus: ExecExitStatus | null = null;
  /** Resolves when the command exited (its status), or when the link to the sandbox broke (null). */
  readonly exited: Promise<ExecExitStatus | null>;
  pid: number | undefined;

  constructor(private readonly channel: MessageChannel) {
    channel.onMessage((m) => {
      if (typeof m === 'string') {
        const ev = JSON.parse(m) as ExecAttachEvent;
        if (ev.type === 'started') this.pid = ev.pid;
        else if (ev.type === 'exit') this.exitStatus = { exitCode: ev.exitCode, signal: ev.signal };
        return;
      }
      if (m.length < 1) return;
      const which = m[0] === STDERR ? 'stderr' : 'stdout';
      const data = m.subarray(1);
      for (const h of this.outHandlers) h(which, data);
    });
    this.exited = new Promise((resolve) => channel.onClose(() => resolve(this.exitStatus)));
  }

  onOutput(h: (stream: 'stdout' | 'stderr', data: Buffer) => void): void {
    this.outHandlers.push(h);
  }

  /** Feeds stdin; false when the sandbox side is full (then wait for `onInputDrain`, as with a stream). */
  write(data: Buffer): boolean {
    return data.length ? this.channel.sendBinary(data) : true;
  }

  onInputDrain(handler: () => void): void {
    this.channel.onDrain(handler);
  }

  private control(msg: ExecAttachControl): void {
    this.channel.sendText(JSON.stringify(msg));
  }

  /** No more input: the command reads end-of-file (on a terminal: ^D). */
  endInput(): void {
    this.control({ type: 'eof' });
  }

  signal(signal: Extract<ExecAttachControl, { type: 'signal' }>['signal']): void {
    this.control({ type: 'signal', signal });
  }

  resize(cols: number, rows: number): void {
    this.control({ type: 'resize', cols, rows });
  }

  /** Slow reader: hold output back (the command then blocks on its pipe). */
  pause(): void {
    this.channel.pause();
  }

  resume(): void {
    this.channel.resume();
  }

  /** The client went away: the command and what it started are killed. */
  close(): void {
    this.channel.end();
  }
}

export class ExecAttachToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** Starts a command and attaches to it; `end` must be called once the client is gone. */
  async start(
    p: Principal,
    sandboxId: string,
    raw: ExecAttachRequest,
  ): Promise<{ value: ExecAttachment; end: () => void }> {
    const r = ExecAttachRequest.safeParse(raw);
    if (!r.success)
      throw new AppError(
        'invalid_argument',
        `invalid command: ${r.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`,
        { reason: 'BAD_REQUEST' },
      );
    return this.access.open(p, sandboxId, async ({ daemon }) => {
      const channel = await openChannel(daemon, EXEC_ATTACH_PATH, {
        headers: { [EXEC_ATTACH_HEADER]: Buffer.from(JSON.stringify(r.data)).toString('base64url') },
      });
      return new ExecAttachment(channel);
    });
  }
}
