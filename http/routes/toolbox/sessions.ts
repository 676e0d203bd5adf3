// Toolbox session routes (compat spec §4.5), plus Berth's offset reads and
// kill for background commands. The WebSocket log follow is served by the
// WebSocket edge through the same orchestrator call (followLogs); a plain
// GET with follow=true streams the framed bytes over HTTP.
import { z } from 'zod';
import { CreateSessionRequest, SendInputRequest, SessionExecRequest } from '../../../common/wire/toolbox.js';
import { principal, type Ctx } from '../../context.js';
import { qs, queryObject } from '../../query-fields.js';
import { route, type RouteTable } from '../../route.js';
import { endWhenDone } from './common.js';

const Kill = z.object({ signal: z.enum(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP']).optional() });

const tags = ['toolbox: sessions'];
const Follow = queryObject({ follow: qs.bool('Stream the framed output until the command ends') });
const Output = queryObject({
  offset: qs.number({ min: 0, int: true, description: 'Byte offset to read from' }),
  waitMs: qs.number({ min: 0, max: 60_000, int: true, description: 'Wait this long for new output' }),
  maxBytes: qs.number({ min: 1, max: 16 << 20, int: true }),
});
const logsAnswer = { 200: 'The output (with follow=true: application/octet-stream, framed, streamed)' };

export function registerSessions(t: RouteTable): void {
  const sessions = t.d.orch.toolbox.sessions;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;

  const logs = async (ctx: Ctx, follow: boolean | undefined, sid: string, cid?: string) => {
    if (follow) {
      const { value, end } = await sessions.followLogs(principal(ctx), id(ctx), sid, cid);
      // Headers go out now, not with the first log bytes (a quiet command may print nothing for long).
      ctx.respond = false;
      ctx.res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'cache-control': 'no-store',
        'x-request-id': ctx.state.requestId,
      });
      ctx.res.flushHeaders();
      endWhenDone(value, ctx.res, end);
      ctx.res.once('close', () => value.destroy());
      value.pipe(ctx.res);
      return;
    }
    ctx.body = await sessions.logs(principal(ctx), id(ctx), sid, cid);
  };

  const create = {
    method: 'post',
    path: '/process/session',
    summary: 'Create a session',
    tags,
    auth: 'key',
    responses: { 201: 'Created' },
  } as const;
  route(t, { ...create, body: CreateSessionRequest, example: { sessionId: 'build' } }, async (ctx, { body: b }) => {
    ctx.body = await sessions.create(principal(ctx), id(ctx), b.sessionId);
    ctx.status = 201;
  });
  route(t, { method: 'get', path: '/process/session', summary: 'List sessions', tags, auth: 'key' }, async (ctx) => {
    ctx.body = await sessions.list(principal(ctx), id(ctx));
  });
  const entry = {
    method: 'get',
    path: '/process/session/entrypoint/logs',
    summary: "The entrypoint's output",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...entry, query: Follow, responses: logsAnswer }, (ctx, { query: q }) =>
    logs(ctx, q.follow, 'entrypoint'),
  );
  route(
    t,
    { method: 'get', path: '/process/session/:sid', summary: 'Get a session and its commands', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = await sessions.get(principal(ctx), id(ctx), ctx.params.sid!);
    },
  );
  route(
    t,
    {
      method: 'delete',
      path: '/process/session/:sid',
      summary: 'Delete a session',
      tags,
      auth: 'key',
      responses: { 204: 'Deleted' },
    },
    async (ctx) => {
      await sessions.delete(principal(ctx), id(ctx), ctx.params.sid!);
      ctx.status = 204;
    },
  );

  const exec = {
    method: 'post',
    path: '/process/session/:sid/exec',
    summary: 'Run a command in a session',
    tags,
    auth: 'key',
    responses: { 200: 'Done', 202: 'Started (runAsync)' },
  } as const;
  route(
    t,
    { ...exec, body: SessionExecRequest, example: { command: 'echo hello', runAsync: true } },
    async (ctx, { body: req }) => {
      const r = await sessions.exec(principal(ctx), id(ctx), ctx.params.sid!, req);
      ctx.status = r.exitCode === undefined && (req.runAsync || req.async) ? 202 : 200;
      ctx.body = r;
    },
  );

  route(
    t,
    { method: 'get', path: '/process/session/:sid/command/:cid', summary: 'Get a command', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = await sessions.command(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!);
    },
  );
  const cmdLogs = {
    method: 'get',
    path: '/process/session/:sid/command/:cid/logs',
    summary: "A command's output",
    tags,
    auth: 'key',
  } as const;
  route(t, { ...cmdLogs, query: Follow, responses: logsAnswer }, (ctx, { query: q }) =>
    logs(ctx, q.follow, ctx.params.sid!, ctx.params.cid!),
  );
  const input = {
    method: 'post',
    path: '/process/session/:sid/command/:cid/input',
    summary: "Write to a command's stdin",
    tags,
    auth: 'key',
    responses: { 204: 'Sent' },
  } as const;
  route(t, { ...input, body: SendInputRequest, example: { data: 'yes\n' } }, async (ctx, { body: b }) => {
    await sessions.input(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, b);
    ctx.status = 204;
  });

  // Berth additions: incremental output with long-poll, and kill.
  const output = {
    method: 'get',
    path: '/process/session/:sid/command/:cid/output',
    summary: 'Output from an offset (long-poll)',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...output, query: Output }, async (ctx, { query: q }) => {
    ctx.body = await sessions.output(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, {
      offset: q.offset,
      waitMs: q.waitMs,
      maxBytes: q.maxBytes,
    });
  });
  const kill = {
    method: 'post',
    path: '/process/session/:sid/command/:cid/kill',
    summary: 'Signal a command',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...kill, body: Kill, example: { signal: 'SIGTERM' } }, async (ctx, { body: b }) => {
    ctx.body = await sessions.kill(principal(ctx), id(ctx), ctx.params.sid!, ctx.params.cid!, b.signal);
  });
}
