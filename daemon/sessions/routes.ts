// Session routes (compat spec §4.5), plus offset reads with long-poll and
// kill for background processes built on sessions.
import { AppError } from '../../common/errors.js';
import {
  CreateSessionRequest,
  KillRequest,
  SendInputRequest,
  SessionExecRequest,
  type CommandOutput,
  type SessionExecResult,
} from '../../common/wire/toolbox.js';
import type { Call, Router } from '../router.js';
import { readJson, sendJson } from '../router.js';
import { frame } from './output-log.js';
import type { LogSource, SessionRegistry } from './registry.js';

const MAX_WAIT_MS = 60_000;

function intParam(q: URLSearchParams, name: string, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return 0;
  if (!/^\d+$/.test(raw) || Number(raw) > max)
    throw new AppError('invalid_argument', `${name} must be a whole number between 0 and ${max}`, {
      reason: 'BAD_REQUEST',
    });
  return Number(raw);
}

/** Streams a log in §6.4 framing: what is there, then live until the command ends. */
function followLog(src: LogSource, call: Call): void {
  const { res } = call;
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let unsubscribe: () => void = () => {};
  const stop = () => unsubscribe();
  res.stream.once('close', stop);
  unsubscribe = src.log.follow((c) => {
    if (res.stream.destroyed) return;
    if (c) res.write(frame(c));
    else {
      res.stream.off('close', stop);
      res.end();
    }
  });
}

async function sendLogs(src: LogSource, call: Call): Promise<void> {
  if (call.query.get('follow') === 'true') return followLog(src, call);
  sendJson(call.res, 200, src.log.logs());
}

export function registerSessions(router: Router, sessions: SessionRegistry): void {
  router.on('POST', '/process/session', async ({ req, res }) => {
    const { sessionId } = await readJson(req, CreateSessionRequest);
    sessions.create(sessionId);
    sendJson(res, 201, sessions.info(sessionId));
  });

  router.on('GET', '/process/session', ({ res }) => sendJson(res, 200, sessions.list()));

  router.on('GET', '/process/session/entrypoint/logs', (call) => sendLogs(sessions.source('entrypoint', null), call));

  router.on('GET', '/process/session/:sid', ({ params, res }) => sendJson(res, 200, sessions.info(params.sid!)));

  router.on('DELETE', '/process/session/:sid', ({ params, res }) => {
    sessions.delete(params.sid!);
    res.writeHead(204).end();
  });

  router.on('POST', '/process/session/:sid/exec', async ({ req, res, params }) => {
    const body = await readJson(req, SessionExecRequest);
    const session = sessions.get(params.sid!);
    const async = body.runAsync === true || body.async === true;
    const cmd = session.exec(body.command, { async, echo: body.suppressInputEcho !== true });
    if (async) return sendJson(res, 202, { cmdId: cmd.id } satisfies SessionExecResult);
    await cmd.done;
    const logs = cmd.log.logs();
    sendJson(res, 200, { cmdId: cmd.id, exitCode: cmd.exitCode, ...logs } satisfies SessionExecResult);
  });

  router.on('GET', '/process/session/:sid/command/:cid', ({ params, res }) => {
    const info = sessions.info(params.sid!).commands.find((c) => c.id === params.cid);
    if (!info)
      throw new AppError('not_found', `command ${params.cid} not found in session ${params.sid}`, {
        reason: 'PROCESS_NOT_FOUND',
        hint: 'list the session to see its command ids',
      });
    sendJson(res, 200, info);
  });

  router.on('GET', '/process/session/:sid/command/:cid/logs', (call) =>
    sendLogs(sessions.source(call.params.sid!, call.params.cid!), call),
  );

  router.on('GET', '/process/session/:sid/command/:cid/output', async ({ params, query, res }) => {
    const src = sessions.source(params.sid!, params.cid!);
    const offset = intParam(query, 'offset', Number.MAX_SAFE_INTEGER);
    const waitMs = intParam(query, 'waitMs', MAX_WAIT_MS);
    const maxBytes = intParam(query, 'maxBytes', 16 << 20) || 1 << 20;
    if (src.running()) await src.log.waitBeyond(offset, waitMs);
    const out: CommandOutput = { ...src.log.read(offset, maxBytes), running: src.running() };
    const code = src.exitCode();
    if (code !== undefined) out.exitCode = code;
    sendJson(res, 200, out);
  });

  router.on('POST', '/process/session/:sid/command/:cid/input', async ({ req, res, params }) => {
    const { data, encoding, eof } = await readJson(req, SendInputRequest);
    const session = sessions.get(params.sid!);
    session.input(session.get(params.cid!), Buffer.from(data, encoding === 'base64' ? 'base64' : 'utf8'), eof);
    res.writeHead(204).end();
  });

  router.on('POST', '/process/session/:sid/command/:cid/kill', async ({ req, res, params }) => {
    const { signal } = await readJson(req, KillRequest);
    const session = sessions.get(params.sid!);
    const cmd = session.get(params.cid!);
    await session.kill(cmd, signal);
    sendJson(res, 200, { id: cmd.id, state: cmd.state, ...(cmd.state === 'exited' ? { exitCode: cmd.exitCode } : {}) });
  });
}
