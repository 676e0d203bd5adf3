// The toolbox's interactive command WebSocket (`berth sandbox exec`): the
// request comes in the query, so every refusal (auth, 404, 409, a bad
// request, a missing cwd) is a plain HTTP answer before the upgrade. Then,
// server → client: binary messages are output, their first byte naming the
// stream (1 stdout, 2 stderr), the rest the bytes exactly as the command wrote
// them; one text message `{"type":"exit","exitCode":N,"signal":S|null}`, then
// close 1000. Client → server: binary messages are stdin; text messages are
// controls: `{"type":"eof"}`, `{"type":"signal","signal":"INT"}`,
// `{"type":"resize","cols":C,"rows":R}`. Closing the socket kills the command
// and everything it started.
import { AppError } from '../../common/errors.js';
import { ATTACH_SIGNALS, ExecAttachControl, ExecAttachRequest, STDERR, STDOUT } from '../../common/wire/exec-attach.js';
import type { ExecAttachment, MessageChannel } from '../../orchestrator/index.js';

const USAGE =
  'pass ?command=<shell command line> or one ?argv=<word> per argument, ' +
  'and optionally cwd=<folder>, env=KEY=VALUE (repeatable), ' +
  'cols=<n>&rows=<n>[&term=<TERM>] for a terminal';

/** The command a client asked for in the upgrade's query. */
export function execAttachRequest(q: URLSearchParams): ExecAttachRequest {
  const bad = (message: string, details?: Record<string, unknown>) =>
    new AppError('invalid_argument', message, { reason: 'BAD_REQUEST', hint: USAGE, details });
  const env: Record<string, string> = {};
  for (const kv of q.getAll('env')) {
    const i = kv.indexOf('=');
    if (i <= 0) throw bad(`env must look like KEY=VALUE (got ${JSON.stringify(kv)})`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const num = (name: string) => (q.has(name) ? Number(q.get(name)) : undefined);
  const cols = num('cols');
  const rows = num('rows');
  if ((cols === undefined) !== (rows === undefined)) throw bad('a terminal needs both cols and rows');
  const argv = q.getAll('argv');
  const r = ExecAttachRequest.safeParse({
    command: q.get('command') ?? undefined,
    argv: argv.length ? argv : undefined,
    cwd: q.get('cwd') || undefined,
    env: Object.keys(env).length ? env : undefined,
    pty: cols !== undefined ? { cols, rows, term: q.get('term') || undefined } : undefined,
  });
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw bad(`invalid command: ${problems.join('; ')}`, { problems });
  }
  return r.data;
}

function tagged(tag: number, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = tag;
  data.copy(out, 1);
  return out;
}

/** The attachment as a message channel the WebSocket bridge relays (http/ws/bridge.ts). */
export function attachmentChannel(a: ExecAttachment): MessageChannel {
  const handlers: ((m: string | Buffer) => void)[] = [];
  // Output that arrives before the bridge listens (it does after the upgrade) waits here.
  let early: (string | Buffer)[] | null = [];
  const emit = (m: string | Buffer) => {
    if (early) early.push(m);
    else for (const h of handlers) h(m);
  };
  a.onOutput((stream, data) => emit(tagged(stream === 'stderr' ? STDERR : STDOUT, data)));
  // Output handlers run as data arrives, so the exit follows the last of it.
  const closed = a.exited.then((status) => {
    if (!status) return { code: 1011, reason: 'lost the connection to the sandbox' };
    emit(JSON.stringify({ type: 'exit', exitCode: status.exitCode, signal: status.signal }));
    return { code: 1000, reason: '' };
  });
  const control = (text: string) => {
    let msg: ExecAttachControl;
    try {
      msg = ExecAttachControl.parse(JSON.parse(text));
    } catch {
      const signals = ATTACH_SIGNALS.join('|');
      const resize = '{"type":"resize","cols":C,"rows":R}';
      const hint = `send {"type":"eof"}, {"type":"signal","signal":"${signals}"} or ${resize}`;
      emit(JSON.stringify({ type: 'error', error: `not a control message: ${text.slice(0, 200)}`, hint }));
      return;
    }
    if (msg.type === 'eof') a.endInput();
    else if (msg.type === 'signal') a.signal(msg.signal);
    else a.resize(msg.cols, msg.rows);
  };
  return {
    onMessage: (h) => {
      handlers.push(h);
      const queued = early ?? [];
      early = null;
      for (const m of queued) h(m);
    },
    onClose: (h) => void closed.then(({ code, reason }) => h(code, reason)),
    sendText: control,
    sendBinary: (data) => a.write(data),
    onDrain: (h) => a.onInputDrain(h),
    end: () => a.close(),
    pause: () => a.pause(),
    resume: () => a.resume(),
  };
}
