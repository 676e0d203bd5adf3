// Toolbox interpreter-context routes (compat spec §4.7). Runs themselves are
// a WebSocket (GET …/process/interpreter/execute, in http/ws/).
import { AppError } from '../../../common/errors.js';
import { CreateContextRequest } from '../../../common/wire/interpreter.js';
import { principal, type ApiRouter, type HttpDeps } from '../../context.js';
import { body } from '../../parse.js';

export function registerInterpreter(router: ApiRouter, d: HttpDeps): void {
  const interpreter = d.orch.toolbox.interpreter;

  router.post('/process/interpreter/context', async (ctx) => {
    ctx.body = await interpreter.createContext(principal(ctx), ctx.params.sandboxId!, body(ctx, CreateContextRequest));
  });

  router.get('/process/interpreter/context', async (ctx) => {
    ctx.body = { contexts: await interpreter.listContexts(principal(ctx), ctx.params.sandboxId!) };
  });

  router.delete('/process/interpreter/context/:id', async (ctx) => {
    await interpreter.deleteContext(principal(ctx), ctx.params.sandboxId!, ctx.params.id!);
    ctx.body = { message: `context ${ctx.params.id} deleted` };
  });

  router.get('/process/interpreter/execute', () => {
    throw new AppError('invalid_argument', 'this endpoint is a WebSocket', { reason: 'BAD_REQUEST', hint: 'connect with a WebSocket client and send {"code": …} (the SDK’s codeInterpreter.runCode)' });
  });
}
