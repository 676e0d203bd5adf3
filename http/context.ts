import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Principal } from '../orchestrator/principal.js';
import type { Orchestrator } from '../orchestrator/index.js';
import type { Config } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';

export interface State {
  requestId: string;
  /** The client's address (http/client-address.ts: the TCP peer, or the client behind a trusted proxy). */
  clientIp: string;
  principal?: Principal;
  /** A route accepted a credential other than an API key (the metrics token): the request is not anonymous. */
  credentialed?: boolean;
  /** The route label of a request answered outside the routers (e.g. MCP), for the HTTP metrics. */
  route?: string;
  /** Errors answer in the Daytona daemon shape on toolbox routes. */
  toolbox?: boolean;
}

export type Ctx = RouterContext<State>;
export type ApiRouter = Router<State>;

export interface HttpDeps {
  orch: Orchestrator;
  config: Config;
  clock: Clock;
  log: Logger;
}

export const principal = (ctx: Ctx): Principal => {
  if (!ctx.state.principal) throw new Error('route is missing the auth middleware');
  return ctx.state.principal;
};
