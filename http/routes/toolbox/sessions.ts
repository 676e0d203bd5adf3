// Toolbox session routes (compat spec §4.5), plus Berth's offset reads and
// kill for background commands. The WebSocket log follow is served by the
// WebSocket edge through the same orchestrator call (followLogs); a plain
// GET with follow=true streams the framed bytes over HTTP.
import { z } from 'zod';
import { CreateSessionRequest, SendInputRequest, SessionExecRequest } from '../../../common/wire/toolbox.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../../context.js';
import { body, queryBool, queryNumber } from '../../parse.js';
import { endWhenDone } from './common.js';

const Kill = z.object({ signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP']).optional() });

export function registerSessions(router: ApiRouter, d: HttpDeps): void {
  const sessions = d.orch.toolbox.sessions;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;

  const logs = async (ctx: Ctx, sid: string, cid?: string) => {
    if (queryBool(ctx, 'follow')) {
      const { value, end } = await sessions.followLogs(principal(ctx), id(ctx), sid, cid);
      // Headers go out now, not with the first log bytes (a quiet command may print nothing for long).
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store', 'x-request-id': ctx.state.requestId });
      ctx.res.flushHeaders();
      endWhenDone(value, ctx.res, end);
      ctx.res.once('close', () => value.destroy());
      value.pipe(ctx.res);
      return;
    }
    ctx.body = await sessions.logs(principal(ctx), id(ctx), sid, cid);
  };

  router.post('/process/session', async (ctx) => {
    ctx.body = await sessions.create(principal(ctx), id(ctx), body(ctx, CreateSessionRequest).sessionId);
    ctx.status = 201;
  });
  router.get('/process/session', async (ctx) => {
    ctx.body = await sessions.list(principal(ctx), id(ctx));
  });
  router.get('/process/session/entrypoint/logs', (ctx) => logs(ctx, 'entrypoint'));
  router.get('/process/session/:sid', async (ctx) => {
    ctx.body = await sessions.get(principal(ctx), id(ctx), ctx.params.sid!);
  });
  router.delete('/process/session/:sid', async (ctx) => {
    await sessions.delete(principal(ctx), id(ctx), ctx.params.sid!);
    ctx.status = 204;
  });

  router.post('/process/session/:sid/exec', async (ctx) => {
    const req = body(ctx, SessionExecRequest);
    const r = await sessions.exec(principal(ctx), id(ctx), ctx.params.sid!, req);
    ctx.status = r.exitCode === undefined && (req.runAsync || req.async) ? 202 : 200;
    ctx.body = r;
  });

  router.get('/process/session/:sid/command/:cid', async (ctx) => {
    ctx.body = await sessions.command(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!);
  });
  router.get('/process/session/:sid/command/:cid/logs', (ctx) => logs(ctx, ctx.params.sid!, ctx.params.cid!));
  router.post('/process/session/:sid/command/:cid/input', async (ctx) => {
    await sessions.input(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, body(ctx, SendInputRequest));
    ctx.status = 204;
  });

  // Berth additions: incremental output with long-poll, and kill.
  router.get('/process/session/:sid/command/:cid/output', async (ctx) => {
    ctx.body = await sessions.output(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, {
      offset: queryNumber(ctx, 'offset', { min: 0, int: true }),
      waitMs: queryNumber(ctx, 'waitMs', { min: 0, max: 60_000, int: true }),
      maxBytes: queryNumber(ctx, 'maxBytes', { min: 1, max: 16 << 20, int: true }),
    });
  });
  router.post('/process/session/:sid/command/:cid/kill', async (ctx) => {
    ctx.body = await sessions.kill(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, body(ctx, Kill).signal);
  });
}
