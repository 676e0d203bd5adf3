// Shared plumbing for toolbox routes.
import type Koa from 'koa';
import type { State } from '../../context.js';

/** Errors on toolbox routes answer in the Daytona daemon shape. */
export const markToolbox: Koa.Middleware<State> = async (ctx, next) => {
  ctx.state.toolbox = true;
  await next();
};

/** Calls `end` once a streamed response body is finished or abandoned. */
export function endWhenDone(body: NodeJS.ReadableStream, res: NodeJS.EventEmitter, end: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      end();
    }
  };
  body.once('end', once);
  body.once('close', once);
  body.once('error', once);
  res.once('close', once);
}
