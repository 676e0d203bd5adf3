// `berth sandbox exec -t`: the command on a terminal of its own (the
// toolbox's PTY WebSocket), with this terminal in raw mode so keys, Ctrl-C
// included, go to it as typed, and its size followed. Exits with the
// command's exit code, which the daemon reports at the end (compat §6.5).
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { AppError, appErrorFromJSON } from '../../common/errors.js';
import type { ApiClient } from '../client.js';
import { TIMED_OUT } from './stream.js';

type ControlMessage = { type?: string; status?: string; exitCode?: number; error?: string };

/** The subprotocol that makes the daemon send `{"type":"control","status":"exited","exitCode":N}` before closing. */
const EXIT_CONTROL = 'X-Daytona-Pty-Exit-Control';

export interface TtyOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

export async function ttyExec(box: ApiClient, command: string, o: TtyOptions): Promise<number> {
  const id = `berth-exec-${randomBytes(6).toString('hex')}`;
  const { stdin, stdout } = process;
  const size = () => ({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  await box.request('POST', '/process/pty', { id, cwd: o.cwd, envs: o.env, ...size(), command, lazyStart: true });
  const path = `/process/pty/${encodeURIComponent(id)}`;
  const url = `${box.s.apiUrl.replace(/^http/, 'ws')}${path}/connect`;
  const ws = new WebSocket(url, [EXIT_CONTROL], { headers: box.headers() });

  const raw = stdin.isTTY && !stdin.isRaw;
  const onInput = (d: Buffer) => ws.readyState === WebSocket.OPEN && ws.send(d);
  // Without a terminal of our own, Ctrl-C reaches us as a signal: pass it on as the byte a terminal sends.
  const onInterrupt = () => onInput(Buffer.from([3]));
  const onResize = () => void box.request('POST', `${path}/resize`, size()).catch(() => undefined);
  const onTerminate = () => void box.request('DELETE', path).catch(() => undefined);
  let timedOut = false;
  const timer = o.timeoutSeconds
    ? setTimeout(() => {
        timedOut = true;
        onTerminate();
      }, o.timeoutSeconds * 1000)
    : undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      let exitCode: number | undefined;
      ws.on('open', () => {
        if (raw) stdin.setRawMode(true);
        stdin.on('data', onInput);
        // A piped stdin that ends sends end-of-transmission, so `cat` and the like finish.
        stdin.once('end', () => onInput(Buffer.from([4])));
        process.on('SIGINT', onInterrupt);
        process.on('SIGTERM', onTerminate);
        stdout.on('resize', onResize);
      });
      ws.on('message', (data: Buffer, binary) => {
        if (binary) return void stdout.write(data);
        const m = JSON.parse(data.toString('utf8')) as ControlMessage;
        if (m.type === 'control' && m.status === 'exited') exitCode = m.exitCode;
        if (m.type === 'control' && m.status === 'error') {
          reject(new AppError('failed_precondition', `terminal: ${m.error}`));
        }
      });
      ws.on('close', (_code, reason) => {
        if (exitCode === undefined) {
          try {
            exitCode = (JSON.parse(reason.toString('utf8')) as { exitCode?: number }).exitCode;
          } catch {
            /* closed without an exit report */
          }
        }
        if (timedOut) {
          process.stderr.write(`\r\nberth: the command ran longer than --timeout ${o.timeoutSeconds} s; killed\r\n`);
        }
        resolve(timedOut ? TIMED_OUT : (exitCode ?? 1));
      });
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = { message: text };
          }
          reject(appErrorFromJSON(body, `server answered ${res.statusCode}`, res.statusCode));
        });
      });
      ws.on('error', (e) => reject(new AppError('unavailable', `terminal connection failed: ${e.message}`)));
    });
  } finally {
    clearTimeout(timer);
    if (raw) stdin.setRawMode(false);
    stdin.off('data', onInput);
    stdin.destroy();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onTerminate);
    stdout.off('resize', onResize);
    ws.terminate();
  }
}
