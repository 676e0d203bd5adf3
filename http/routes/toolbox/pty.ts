// Toolbox PTY routes (compat spec §4.6). The terminal streams themselves are
// WebSockets (http/ws/); these manage sessions.
import { AppError } from '../../../common/errors.js';
import { PtyCreateRequest, PtyResizeRequest } from '../../../common/wire/pty.js';
import { principal, type ApiRouter, type HttpDeps } from '../../context.js';
import { body } from '../../parse.js';

const upgradeRequired = () => {
  throw new AppError('invalid_argument', 'this endpoint is a WebSocket', { reason: 'BAD_REQUEST', hint: 'connect with a WebSocket client (ws://…), e.g. the SDK’s createPty/connectPty' });
};

export function registerPty(router: ApiRouter, d: HttpDeps): void {
  const pty = d.orch.toolbox.pty;

  router.get('/process/pty', async (ctx) => {
    ctx.body = { sessions: await pty.list(principal(ctx), ctx.params.sandboxId!) };
  });

  router.post('/process/pty', async (ctx) => {
    const b = body(ctx, PtyCreateRequest);
    ctx.status = 201;
    ctx.body = await pty.create(principal(ctx), ctx.params.sandboxId!, b);
  });

  // Plain GETs of the WebSocket endpoints (before `/:id`, which would take them for ids).
  router.get('/process/pty/create-connect', upgradeRequired);
  router.get('/process/pty/:id/connect', upgradeRequired);

  router.get('/process/pty/:id', async (ctx) => {
    ctx.body = await pty.get(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
  });

  router.post('/process/pty/:id/resize', async (ctx) => {
    const b = body(ctx, PtyResizeRequest);
    ctx.body = await pty.resize(principal(ctx), ctx.params.sandboxId!, ctx.params.id!, b.cols, b.rows);
  });

  router.delete('/process/pty/:id', async (ctx) => {
    await pty.kill(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
    ctx.body = { message: `PTY session ${ctx.params.id} killed` };
  });
}
