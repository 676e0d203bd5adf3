// Daemon routes of the code interpreter (compat spec §4.7, §6.6): contexts
// over JSON, runs over a framed stream the runner relays to a WebSocket.
import { statSync } from 'node:fs';
import { AppError } from '../../common/errors.js';
import {
  chunk,
  CLOSE_TIMEOUT,
  CreateContextRequest,
  DEFAULT_CONTEXT_ID,
  DEFAULT_RUN_TIMEOUT_SEC,
  RunRequest,
} from '../../common/wire/interpreter.js';
import type { DaemonContext } from '../context.js';
import { FramedStream } from '../framed-stream.js';
import { resolvePath } from '../paths.js';
import { readJson, sendJson, type Router } from '../router.js';
import { PythonContext, type RunSink } from './context.js';

const MAX_CONTEXTS = 32;

export function registerInterpreter(router: Router, ctx: DaemonContext): void {
  const contexts = new Map<string, PythonContext>();
  const notFound = (id: string) =>
    new AppError('not_found', `interpreter context ${id} not found`, {
      reason: 'CONTEXT_NOT_FOUND',
      hint: 'list contexts with GET /process/interpreter/context, or create one',
    });

  router.on('POST', '/process/interpreter/context', async ({ req, res }) => {
    const body = await readJson(req, CreateContextRequest);
    if (body.language && body.language !== 'python') {
      throw new AppError('invalid_argument', `unsupported language ${body.language}: only python contexts exist`, {
        reason: 'BAD_REQUEST',
      });
    }
    if (contexts.size >= MAX_CONTEXTS)
      throw new AppError('failed_precondition', `this sandbox already has ${MAX_CONTEXTS} interpreter contexts`, {
        reason: 'CONTEXT_LIMIT',
        hint: 'delete contexts you no longer use',
      });
    const cwd = body.cwd ? resolvePath(ctx.paths, body.cwd, 'cwd') : ctx.paths.workdir;
    try {
      if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new AppError('invalid_argument', `working directory ${cwd} does not exist or is not a folder`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'create it first or pass an existing cwd',
      });
    }
    const c = new PythonContext(ctx, cwd);
    // Start now, so a missing python3 is an error here rather than on the first run.
    await c.start();
    contexts.set(c.id, c);
    sendJson(res, 200, c.info());
  });

  router.on('GET', '/process/interpreter/context', ({ res }) => {
    sendJson(res, 200, {
      contexts: [...contexts.values()].filter((c) => c.id !== DEFAULT_CONTEXT_ID).map((c) => c.info()),
    });
  });

  router.on('DELETE', '/process/interpreter/context/:id', ({ res, params }) => {
    const c = contexts.get(params.id!);
    if (!c) throw notFound(params.id!);
    contexts.delete(c.id);
    c.close();
    sendJson(res, 200, {});
  });

  router.on('POST', '/process/interpreter/execute', ({ req, res }) => {
    const stream = new FramedStream(req, res);
    let started = false;
    // A client that opens the socket and never says what to run is let go.
    const idle = setTimeout(() => stream.close(1008, 'no run request received'), 60_000);
    stream.onGone(() => clearTimeout(idle));
    stream.onText((text) => {
      if (started) return; // one run per socket; later messages are ignored
      started = true;
      clearTimeout(idle);
      let run: RunRequest;
      try {
        const parsed = RunRequest.safeParse(JSON.parse(text));
        if (!parsed.success)
          throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '));
        run = parsed.data;
      } catch (e) {
        stream.close(1008, `invalid request: ${(e as Error).message}`);
        return;
      }
      if (!run.code.trim()) {
        stream.close(1008, 'invalid request: code is empty');
        return;
      }
      const id = run.contextId || DEFAULT_CONTEXT_ID;
      let c = contexts.get(id);
      if (!c && id === DEFAULT_CONTEXT_ID) {
        c = new PythonContext(ctx, ctx.paths.workdir, DEFAULT_CONTEXT_ID);
        contexts.set(id, c);
      }
      if (!c) {
        stream.close(1008, `interpreter context ${id} not found`);
        return;
      }
      const sink: RunSink = {
        stdout: (t) => stream.sendJson(chunk('stdout', { text: t })),
        stderr: (t) => stream.sendJson(chunk('stderr', { text: t })),
        finished: (error) => {
          if (error) stream.sendJson(chunk('error', error));
          stream.sendJson(chunk('control', { text: 'completed' }));
          stream.close(1000);
        },
        // §6.6: an error chunk and close 4008, without `interrupted`, so SDKs raise a timeout.
        timedOut: (seconds) => {
          stream.sendJson(
            chunk('error', {
              name: 'TimeoutError',
              value: `execution timed out after ${seconds} seconds`,
              traceback: '',
            }),
          );
          stream.close(CLOSE_TIMEOUT, 'execution timed out');
        },
      };
      const cancel = c.enqueue(
        { code: run.code, envs: run.envs, timeoutSec: run.timeout ?? DEFAULT_RUN_TIMEOUT_SEC },
        sink,
      );
      stream.onGone(cancel);
    });
  });
}
