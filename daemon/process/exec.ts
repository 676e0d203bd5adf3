// One-shot command execution. The command runs in a shell (or, when the shell
// would only split it into words, as that program: plain-command.ts) in its
// own session, so the whole tree can be killed on timeout or when the caller
// goes away.
// Output streams back as NDJSON events; the runner aggregates or forwards them.
import { StringDecoder } from 'node:string_decoder';
import type { ExecEvent, ExecExit } from '../../common/wire/daemon.js';
import { ExecRequest } from '../../common/wire/daemon.js';
import { AppError } from '../../common/errors.js';
import type { DaemonContext } from '../context.js';
import { resolvePath } from '../paths.js';
import { killTree } from '../procfs.js';
import { readJson, type Router } from '../router.js';
import { statSync } from 'node:fs';
import { DRAIN_MS, shellExitCode } from '../exit-status.js';
import type { PipedChild } from '../native-child.js';
import { lookPath, plainArgv } from './plain-command.js';

export function registerExec(router: Router, ctx: DaemonContext): void {
  router.on('POST', '/process/exec', async ({ req, res }) => {
    const body = await readJson(req, ExecRequest);
    const cwd = body.cwd ? resolvePath(ctx.paths, body.cwd, 'cwd') : ctx.paths.workdir;
    try {
      if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new AppError('invalid_argument', `working directory ${cwd} does not exist or is not a folder`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'create it first or pass an existing cwd',
      });
    }
    const limit = body.maxOutputBytes ?? ctx.maxOutputBytes;
    const started = Date.now();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const send = (ev: ExecEvent) => {
      if (!res.stream.destroyed) res.write(JSON.stringify(ev) + '\n');
    };

    let child;
    try {
      child = startCommand(ctx, body.command, cwd, { ...ctx.env, ...body.env });
    } catch (err) {
      send({ type: 'stderr', data: `failed to start ${ctx.shell}: ${(err as Error).message}\n` });
      send({ type: 'exit', result: { exitCode: -1, timedOut: false, truncated: false, durationMs: 0 } });
      res.end();
      return;
    }
    let spawnError: Error | null = null;
    child.on('error', (e) => (spawnError = e));
    // 'close' (all pipes drained) can come before or after 'exit'.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    if (child.pid) send({ type: 'started', pid: child.pid });

    let used = 0;
    let truncated = false;
    let timedOut = false;
    const pump = (stream: NodeJS.ReadableStream | null, type: 'stdout' | 'stderr') => {
      if (!stream) return;
      const dec = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => {
        if (used >= limit) {
          truncated = true;
          return; // keep draining so the process never blocks on a full pipe
        }
        const slice = used + chunk.length > limit ? chunk.subarray(0, limit - used) : chunk;
        if (slice.length < chunk.length) truncated = true;
        used += slice.length;
        const text = dec.write(slice);
        if (text) send({ type, data: text });
      });
    };
    pump(child.stdout, 'stdout');
    pump(child.stderr, 'stderr');
    child.stdin?.on('error', () => {});
    if (body.stdin !== undefined) child.stdin?.end(body.stdin);
    else child.stdin?.end();

    const pid = child.pid;
    const timer =
      body.timeoutSec && body.timeoutSec > 0 && pid
        ? setTimeout(() => {
            timedOut = true;
            killTree(pid);
          }, body.timeoutSec * 1000)
        : undefined;
    // A caller that hangs up (cancel, client gone) takes the process tree with it.
    const onAbort = () => pid && killTree(pid);
    res.stream.once('close', onAbort);

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(drainTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (timer) clearTimeout(timer);
    res.stream.off('close', onAbort);

    const result: ExecExit = {
      exitCode: spawnError ? -1 : shellExitCode(exit.code, exit.signal),
      signal: exit.signal,
      timedOut,
      truncated,
      durationMs: Date.now() - started,
    };
    send({ type: 'exit', result });
    res.end();
  });
}

/** The command as a program when the shell would only have split it into words, else through the shell. */
function startCommand(ctx: DaemonContext, command: string, cwd: string, env: Record<string, string>): PipedChild {
  const argv = plainArgv(command, env);
  const file = argv && lookPath(argv[0]!, env.PATH, cwd);
  if (argv && file) {
    // What bash sets for a program it runs.
    const own = { ...env, PWD: cwd, SHLVL: String((Number(env.SHLVL) || 0) + 1), _: file };
    try {
      return ctx.spawner.spawnPiped(file, argv.slice(1), { cwd, env: own, argv0: argv[0] });
    } catch {
      // e.g. a script without #!: the shell knows what to do with it, and what to say.
    }
  }
  return ctx.spawner.spawnPiped(ctx.shell, ['-c', command], { cwd, env });
}
