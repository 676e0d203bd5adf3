// `berth sandbox exec` (with and without -t): the command attached over the
// toolbox's exec WebSocket (`/toolbox/{id}/process/exec/attach`,
// docs/toolbox.md). stdin, stdout and stderr travel as bytes, exactly as
// written; Ctrl-C and --timeout end the command (closing the socket kills it
// and everything it started); -t gives it a terminal of its own, with this
// terminal in raw mode and its size followed. Resolves with the exit code.
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { readErrorBody } from '../../common/error-body.js';
import { AppError } from '../../common/errors.js';
import type { ApiClient } from '../client.js';

export interface ExecIo {
  stdin: Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable & { columns?: number; rows?: number };
  stderr: Writable;
}

export interface AttachOptions {
  /** One word: a shell command line; several: a program and its arguments, run as given. */
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  tty?: boolean;
  timeoutSeconds?: number;
}

/** Exit codes as a shell reports them: killed after Ctrl-C, or over --timeout (as timeout(1) does). */
export const INTERRUPTED = 130;
export const TIMED_OUT = 124;
/** Our output's reader went away (`… | head -1`): the command is killed, as SIGPIPE would. */
export const BROKEN_PIPE = 128 + 13;
/** How long a command may take to end after Ctrl-C's SIGINT before it is killed. */
const INTERRUPT_GRACE_MS = 1000;
/** Stop reading stdin while this much is queued for the server. */
const STDIN_HIGH_WATER = 1 << 20;
const STDOUT = 1;
const STDERR = 2;

type ServerText = { type?: string; exitCode?: number; signal?: string | null; error?: string; hint?: string };

/** The attach URL: the command, its folder, environment and terminal in the query (docs/toolbox.md). */
export function attachUrl(box: ApiClient, o: AttachOptions, size?: { cols: number; rows: number }): URL {
  const u = new URL(`${box.s.apiUrl.replace(/^http/, 'ws')}/process/exec/attach`);
  if (o.argv.length === 1) u.searchParams.set('command', o.argv[0]!);
  else for (const a of o.argv) u.searchParams.append('argv', a);
  if (o.cwd !== undefined) u.searchParams.set('cwd', o.cwd);
  for (const [k, v] of Object.entries(o.env ?? {})) u.searchParams.append('env', `${k}=${v}`);
  if (size) {
    u.searchParams.set('cols', String(size.cols));
    u.searchParams.set('rows', String(size.rows));
    if (process.env.TERM) u.searchParams.set('term', process.env.TERM);
  }
  return u;
}

/** The server's refusal before the upgrade (401, 404, 409, 400…) as the error it describes. */
function refusal(res: import('node:http').IncomingMessage): Promise<AppError> {
  return readErrorBody(res, res.statusCode ?? 0, 'server');
}

export async function attachExec(box: ApiClient, o: AttachOptions, io: ExecIo): Promise<number> {
  const { stdin, stdout, stderr } = io;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  const url = attachUrl(box, o, o.tty ? size() : undefined);
  const ws = new WebSocket(url, { headers: box.headers(), perMessageDeflate: false });
  const control = (m: Record<string, unknown>) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(m));
  type Stop = 'interrupted' | 'timeout' | 'broken-pipe';
  let stop: Stop | undefined;
  const kill = (why: Stop) => {
    stop ??= why;
    ws.close(1000);
  };

  const raw = !!o.tty && !!stdin.isTTY && !stdin.isRaw && !!stdin.setRawMode;
  const onInput = (d: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(d, { binary: true }, () => {
      if (stdin.isPaused() && ws.bufferedAmount < STDIN_HIGH_WATER / 4) stdin.resume();
    });
    if (ws.bufferedAmount > STDIN_HIGH_WATER) stdin.pause();
  };
  const onEnd = () => control({ type: 'eof' });
  let interrupts = 0;
  const onInterrupt = () => {
    // On a terminal, Ctrl-C is the byte a terminal sends (raw mode passes it as input).
    if (o.tty) return onInput(Buffer.from([3]));
    // The first Ctrl-C asks the command to stop, as a terminal would; if it does not, or on a second one, it is killed.
    if (interrupts++ > 0) return kill('interrupted');
    control({ type: 'signal', signal: 'INT' });
    setTimeout(() => kill('interrupted'), INTERRUPT_GRACE_MS).unref();
  };
  const onTerminate = () => kill('interrupted');
  const onResize = () => control({ type: 'resize', ...size() });
  const onBrokenPipe = () => kill('broken-pipe');
  const timer = o.timeoutSeconds ? setTimeout(() => kill('timeout'), o.timeoutSeconds * 1000) : undefined;

  try {
    return await new Promise<number>((resolve, reject) => {
      let exit: { exitCode: number; signal: string | null } | undefined;
      ws.on('open', () => {
        if (raw) stdin.setRawMode!(true);
        stdin.on('data', onInput);
        stdin.once('end', onEnd);
        process.on('SIGINT', onInterrupt);
        process.on('SIGTERM', onTerminate);
        process.on('SIGHUP', onTerminate);
        if (o.tty) stdout.on('resize', onResize);
        stdout.on('error', onBrokenPipe);
        stderr.on('error', onBrokenPipe);
      });
      ws.on('message', (data: Buffer, binary) => {
        if (binary) {
          const out = data[0] === STDERR ? stderr : data[0] === STDOUT ? stdout : null;
          // A slow reader of our output holds the command back (it then blocks on its pipe).
          if (out && !out.write(data.subarray(1))) {
            ws.pause();
            out.once('drain', () => ws.resume());
          }
          return;
        }
        const m = JSON.parse(data.toString('utf8')) as ServerText;
        if (m.type === 'exit') exit = { exitCode: m.exitCode ?? 1, signal: m.signal ?? null };
        else if (m.type === 'error') stderr.write(`berth: ${m.error}${m.hint ? `\n${m.hint}` : ''}\n`);
      });
      ws.on('close', (code, reason) => {
        const nl = raw ? '\r\n' : '\n';
        if (stop === 'timeout') {
          stderr.write(`${nl}berth: the command ran longer than --timeout ${o.timeoutSeconds} s and was killed${nl}`);
          return resolve(TIMED_OUT);
        }
        if (stop === 'broken-pipe') return resolve(BROKEN_PIPE);
        if (exit) return resolve(exit.exitCode);
        if (stop === 'interrupted') return resolve(INTERRUPTED);
        const why = reason.toString('utf8') || `WebSocket closed with code ${code}`;
        reject(
          new AppError('unavailable', `the command's connection ended without its exit: ${why}`, {
            hint: 'check the sandbox with `berth sandbox info <id>` and run it again',
          }),
        );
      });
      ws.on('unexpected-response', (_req, res) => void refusal(res).then(reject));
      // After a kill before the socket opened, the close that follows reports it.
      ws.on('error', (e) => {
        const message = `cannot reach the Berth server at ${box.s.apiUrl}: ${e.message}`;
        if (!stop) reject(new AppError('unavailable', message));
      });
    });
  } finally {
    clearTimeout(timer);
    if (raw) stdin.setRawMode!(false);
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    stdin.destroy();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
    process.off('SIGHUP', onTerminate);
    stdout.off('resize', onResize);
    stdout.off('error', onBrokenPipe);
    stderr.off('error', onBrokenPipe);
    ws.terminate();
  }
}
