// `berth sandbox exec` without -t: the command is the one command of a
// session of its own, so its output can be followed as it comes (stdout and
// stderr apart), its stdin fed and closed, and Ctrl-C forwarded — all through
// the toolbox's public session API. The session is deleted at the end.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { LogDemuxer } from '../../common/wire/log-frames.js';
import type { ApiClient } from '../client.js';

export interface ExecIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Exit codes as a shell reports them: killed after Ctrl-C, or over --timeout (as timeout(1) does). */
export const INTERRUPTED = 130;
export const TIMED_OUT = 124;
/** How long a command may take to end after Ctrl-C's SIGINT before its whole session is killed. */
const INTERRUPT_GRACE_MS = 1000;
/** Bytes of stdin per input call (base64 keeps it under the 1 MiB request limit). */
const INPUT_CHUNK = 512 * 1024;

/** Runs `line` (a session line, see command-line.ts) in the toolbox `box`; resolves with its exit code. */
export async function streamExec(box: ApiClient, line: string, io: ExecIo, timeoutSeconds?: number): Promise<number> {
  const sessionId = `berth-exec-${randomBytes(6).toString('hex')}`;
  const session = `/process/session/${sessionId}`;
  await box.request('POST', '/process/session', { sessionId });
  let stop: 'interrupted' | 'timeout' | undefined;
  let removed: Promise<unknown> | undefined;
  // Deleting the session kills everything the command started, and ends the log we follow.
  const remove = (why?: typeof stop) => {
    stop ??= why;
    return (removed ??= box.request('DELETE', session).catch(() => undefined));
  };
  const cleanups: (() => void)[] = [];
  try {
    const started = { command: line, runAsync: true, suppressInputEcho: true };
    const { cmdId } = await box.request<{ cmdId: string }>('POST', `${session}/exec`, started);
    const cmd = `${session}/command/${encodeURIComponent(cmdId)}`;
    const log = await box.stream(`${cmd}/logs`, { follow: 'true' });

    let interrupts = 0;
    const onInterrupt = () => {
      // The first Ctrl-C asks the command to stop (SIGINT, as a terminal would);
      // if it does not, or on a second one, it is killed.
      if (interrupts++ > 0) return void remove('interrupted');
      void box
        .request('POST', `${cmd}/kill`, { signal: 'SIGINT' })
        .catch(() => undefined)
        .then(() => setTimeout(() => void remove('interrupted'), INTERRUPT_GRACE_MS).unref());
    };
    const onTerminate = () => void remove('interrupted');
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    process.on('SIGHUP', onTerminate);
    cleanups.push(() => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
      process.off('SIGHUP', onTerminate);
    });
    if (timeoutSeconds) {
      const t = setTimeout(() => void remove('timeout'), timeoutSeconds * 1000);
      cleanups.push(() => clearTimeout(t));
    }
    void feed(box, cmd, io.stdin);
    cleanups.push(() => io.stdin.destroy());

    const demux = new LogDemuxer((stream, data) => (stream === 1 ? io.stdout : io.stderr).write(data));
    for await (const chunk of log) demux.push(chunk as Buffer);
    demux.end();

    if (stop === 'timeout') {
      io.stderr.write(`berth: the command ran longer than --timeout ${timeoutSeconds} s and was killed\n`);
      return TIMED_OUT;
    }
    if (removed) return INTERRUPTED;
    const info = await box.request<{ exitCode?: number }>('GET', cmd);
    return info.exitCode ?? 1;
  } finally {
    for (const c of cleanups) c();
    await remove();
  }
}

/** Passes stdin to the command as it comes, then closes the command's stdin. */
async function feed(box: ApiClient, cmd: string, stdin: Readable): Promise<void> {
  try {
    for await (const chunk of stdin) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      for (let at = 0; at < b.length; at += INPUT_CHUNK) {
        const data = b.subarray(at, at + INPUT_CHUNK).toString('base64');
        await box.request('POST', `${cmd}/input`, { data, encoding: 'base64' });
      }
    }
    await box.request('POST', `${cmd}/input`, { data: '', eof: true });
  } catch {
    // The command ended (410) or its session is gone: nobody is left to read the rest.
  }
}
