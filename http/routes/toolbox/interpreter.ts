// Toolbox interpreter-context routes (compat spec §4.7). Runs themselves are
// a WebSocket (GET …/process/interpreter/execute, in http/ws/).
import { AppError } from '../../../common/errors.js';
import { CreateContextRequest } from '../../../common/wire/interpreter.js';
import { principal } from '../../context.js';
import { route, type RouteTable } from '../../route.js';

const tags = ['toolbox: interpreter'];
const auth = 'key';

export function registerInterpreter(t: RouteTable): void {
  const interpreter = t.d.orch.toolbox.interpreter;

  const create = { summary: 'Create an interpreter context', tags, auth, body: CreateContextRequest } as const;
  route(t, { ...create, method: 'post', path: '/process/interpreter/context' }, async (ctx, { body }) => {
    ctx.body = await interpreter.createContext(principal(ctx), ctx.params.sandboxId!, body);
  });

  route(
    t,
    { method: 'get', path: '/process/interpreter/context', summary: 'List interpreter contexts', tags, auth },
    async (ctx) => {
      ctx.body = { contexts: await interpreter.listContexts(principal(ctx), ctx.params.sandboxId!) };
    },
  );

  route(
    t,
    {
      method: 'delete',
      path: '/process/interpreter/context/:id',
      summary: 'Delete an interpreter context',
      tags,
      auth,
    },
    async (ctx) => {
      await interpreter.deleteContext(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
      ctx.body = { message: `context ${ctx.params.id} deleted` };
    },
  );

  // Without an upgrade, the WebSocket path says what it is (the document describes it with the WebSockets).
  route(t, { method: 'get', path: '/process/interpreter/execute', summary: 'Run code (WebSocket)', tags, auth }, () => {
    throw new AppError('invalid_argument', 'this endpoint is a WebSocket', {
      reason: 'BAD_REQUEST',
      hint: 'connect with a WebSocket client and send {"code": …} (the SDK’s codeInterpreter.runCode)',
    });
  });
}
