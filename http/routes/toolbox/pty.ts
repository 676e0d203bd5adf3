// Toolbox PTY routes (compat spec §4.6). The terminal streams themselves are
// WebSockets (http/ws/); these manage sessions.
import { AppError } from '../../../common/errors.js';
import { PtyCreateRequest, PtyResizeRequest } from '../../../common/wire/pty.js';
import { principal } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

const upgradeRequired = () => {
  throw new AppError('invalid_argument', 'this endpoint is a WebSocket', {
    reason: 'BAD_REQUEST',
    hint: 'connect with a WebSocket client (ws://…), e.g. the SDK’s createPty/connectPty',
  });
};

const tags = ['toolbox: PTY'];

export function registerPty(t: RouteTable): void {
  const pty = t.d.orch.toolbox.pty;

  route(t, { method: 'get', path: '/process/pty', summary: 'List PTY sessions', tags, auth: 'key' }, async (ctx) => {
    ctx.body = { sessions: await pty.list(principal(ctx), ctx.params.sandboxId!) };
  });

  const create = {
    method: 'post',
    path: '/process/pty',
    summary: 'Create a PTY session',
    tags,
    auth: 'key',
    responses: { 201: 'Created' },
  } as const;
  route(
    t,
    { ...create, body: PtyCreateRequest, example: { id: 'term-1', cols: 120, rows: 30 } },
    async (ctx, { body: b }) => {
      ctx.status = 201;
      ctx.body = await pty.create(principal(ctx), ctx.params.sandboxId!, b);
    },
  );

  // Plain GETs of the WebSocket endpoints (before `/:id`, which would take them for ids).
  const ws = {
    method: 'get',
    tags,
    auth: 'key',
    description: 'A WebSocket upgrade; a plain GET answers 400.',
  } as const;
  route(
    t,
    { ...ws, path: '/process/pty/create-connect', summary: 'WebSocket: create a PTY and attach' },
    upgradeRequired,
  );
  route(t, { ...ws, path: '/process/pty/:id/connect', summary: 'WebSocket: attach to a PTY' }, upgradeRequired);

  route(
    t,
    { method: 'get', path: '/process/pty/:id', summary: 'Get a PTY session', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = await pty.get(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
    },
  );

  const resize = {
    method: 'post',
    path: '/process/pty/:id/resize',
    summary: 'Resize a PTY',
    tags,
    auth: 'key',
  } as const;
  route(t, { ...resize, body: PtyResizeRequest, example: { cols: 100, rows: 40 } }, async (ctx, { body: b }) => {
    ctx.body = await pty.resize(principal(ctx), ctx.params.sandboxId!, ctx.params.id!, b.cols, b.rows);
  });

  route(
    t,
    { method: 'delete', path: '/process/pty/:id', summary: 'Kill a PTY session', tags, auth: 'key' },
    async (ctx) => {
      await pty.kill(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
      ctx.body = { message: `PTY session ${ctx.params.id} killed` };
    },
  );
}
