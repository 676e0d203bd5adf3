// The Koa application: middleware order lives here and only here.
// request id → metrics → error boundary → MCP → anonymous limit → body size → JSON body →
// routers (body type, auth per route) → 404.
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/errors.js';
import type { HttpDeps, State } from './context.js';
import { errorBody, HTTP_STATUS, toAppError } from './errors.js';
import { registerHealth } from './routes/health.js';
import { registerSandboxLifecycle } from './routes/sandbox-lifecycle.js';
import { registerSandboxExtras } from './routes/sandbox-extras.js';
import { registerSnapshots } from './routes/snapshots.js';
import { registerVolumes } from './routes/volumes.js';
import { registerPreview } from './routes/preview.js';
import { registerConfig } from './routes/config.js';
import { requireAuth } from './auth.js';
import { clientAddress, trustedProxies } from './client-address.js';
import { JSON_TYPES, jsonBodiesOnly } from './body-type.js';
import { anonymousLimit, rateLimitedHeaders } from './rate-limit.js';
import { registerOrganizations } from './routes/organizations.js';
import { registerApiKeys } from './routes/api-keys.js';
import { registerAudit } from './routes/audit.js';
import { registerSecrets } from './routes/secrets.js';
import { registerUsage } from './routes/usage.js';
import { registerQuotas } from './routes/quotas.js';
import { registerUiSession } from './routes/ui-session.js';
import { serveWebUi, type WebUiAssets } from './webui.js';
import { registerSshAccess } from './routes/ssh-access.js';
import { registerSshKeys } from './routes/ssh-keys.js';
import { registerRegistries } from './routes/registries.js';
import { registerRunners } from './routes/runners.js';
import type { ObjectStorageMount } from './object-storage.js';
import { markToolbox } from './routes/toolbox/common.js';
import { registerProcess } from './routes/toolbox/process.js';
import { registerFiles } from './routes/toolbox/files.js';
import { registerInfo } from './routes/toolbox/info.js';
import { registerFileSearch } from './routes/toolbox/file-search.js';
import { registerSessions } from './routes/toolbox/sessions.js';
import { registerCodeRun } from './routes/toolbox/code-run.js';
import { registerGit } from './routes/toolbox/git.js';
import { registerSystem } from './routes/toolbox/system.js';
import { registerComputerUse } from './routes/toolbox/computer-use.js';
import { registerPty } from './routes/toolbox/pty.js';
import { registerInterpreter } from './routes/toolbox/interpreter.js';
import { registerLsp } from './routes/toolbox/lsp.js';
import { MCP_PATH, type McpHttp } from '../mcp/http/handler.js';
import { httpMetrics, WEBUI_ROUTE } from './metrics.js';
import { registerMetrics } from './routes/metrics.js';
import { registerOpenApi } from './routes/openapi.js';
import { RouteTable } from './route.js';

export interface AppMounts {
  /** /mcp and its OAuth metadata, served on the raw request (see mcp/http/handler.ts). */
  mcp?: McpHttp;
  /** The web UI's built files (dist/webui), served at / on the main host. */
  webui?: WebUiAssets;
  /** The S3-compatible endpoint for build contexts at /{bucket} (see http/object-storage.ts). */
  objects?: ObjectStorageMount;
}

export interface RouteInfo {
  methods: string[];
  path: string;
}

export type BerthApp = Koa<State> & {
  /** Every HTTP route, as the routers declare them (method and path pattern), e.g. for cross-organization tests. */
  listRoutes(): RouteInfo[];
};

export function createApp(d: HttpDeps, mounts: AppMounts = {}): BerthApp {
  const app = new Koa<State>();
  app.proxy = false;
  app.silent = true;

  const trusted = trustedProxies(d.config.trustedProxies);
  app.use(async (ctx, next) => {
    ctx.state.clientIp = clientAddress(ctx.req, trusted);
    ctx.state.requestId = ctx.get('x-request-id') || randomUUID();
    ctx.set('x-request-id', ctx.state.requestId);
    await next();
  });
  // Outside the error boundary, so it sees the status every error was mapped to.
  app.use(httpMetrics(d.orch.metrics));

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = toAppError(err);
      if (e.code === 'internal')
        d.log.error('request failed', {
          method: ctx.method,
          path: ctx.path,
          requestId: ctx.state.requestId,
          error: (err as Error)?.stack ?? String(err),
        });
      ctx.status = HTTP_STATUS[e.code];
      ctx.type = 'application/json';
      ctx.body = errorBody(
        e,
        { path: ctx.path, method: ctx.method },
        !!ctx.state.toolbox,
        d.clock.now(),
        !!ctx.get('x-daytona-source'),
      );
      if (e.code === 'unauthorized') ctx.set('www-authenticate', 'Bearer realm="berth"');
      if (e.code === 'rate_limited') ctx.set(rateLimitedHeaders(e));
    }
  });

  // MCP streams SSE and parses its own JSON-RPC bodies: it gets node's req/res
  // before the body parser, and Koa does not respond for it.
  const mcp = mounts.mcp;
  if (mcp) {
    app.use(async (ctx, next) => {
      if (!(await mcp.handle(ctx.req, ctx.res))) return next();
      ctx.state.route = MCP_PATH;
      ctx.respond = false;
    });
  }

  // S3 requests carry their own (AWS v4) credentials and raw bodies: served before the body parser.
  const objects = mounts.objects;
  if (objects) {
    app.use(async (ctx, next) => {
      if (!(await objects.handle(ctx.req, ctx.res))) return next();
      ctx.respond = false;
    });
  }

  // The web UI's pages and hashed assets: static, cached, so not counted against any budget.
  if (mounts.webui) {
    const ui = serveWebUi(d, mounts.webui);
    // In the HTTP metrics, whatever the web UI answers is one route.
    app.use(async (ctx, next) => {
      ctx.state.route = WEBUI_ROUTE;
      await ui(ctx, () => {
        ctx.state.route = undefined;
        return next();
      });
    });
  }

  // Requests without credentials count against their address's anonymous budget.
  app.use(anonymousLimit(d));
  // A body declared larger than any limit is refused before a byte of it is read.
  app.use(async (ctx, next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > Math.max(d.config.uploadLimitBytes, d.config.jsonBodyLimitBytes)) {
      throw new AppError('payload_too_large', `request body of ${declared} bytes is over this server's limit`, {
        hint: 'send a smaller body; limits are set by BERTH_JSON_BODY_LIMIT_BYTES and BERTH_UPLOAD_LIMIT_BYTES',
      });
    }
    await next();
  });

  app.use(
    bodyParser({
      enableTypes: ['json'],
      detectJSON: (ctx) => !!ctx.is(JSON_TYPES),
      jsonLimit: d.config.jsonBodyLimitBytes,
      encoding: 'utf-8',
      // An empty body is a valid "no options" request for the SDK's POSTs.
      jsonStrict: false,
      onError: (err) => {
        throw err;
      },
    }),
  );

  const api = new Router<State>({ prefix: '/api' });
  api.use(jsonBodiesOnly);
  const apiRoutes = new RouteTable(api, '/api', d);
  registerHealth(apiRoutes);
  registerSandboxLifecycle(apiRoutes);
  registerSandboxExtras(apiRoutes);
  registerPreview(apiRoutes);
  registerSnapshots(apiRoutes);
  registerVolumes(apiRoutes);
  registerConfig(apiRoutes);
  registerOrganizations(apiRoutes);
  registerApiKeys(apiRoutes);
  registerAudit(apiRoutes);
  registerSecrets(apiRoutes);
  registerUsage(apiRoutes);
  registerQuotas(apiRoutes);
  registerUiSession(apiRoutes);
  registerSshAccess(apiRoutes);
  registerSshKeys(apiRoutes);
  registerRegistries(apiRoutes);
  registerRunners(apiRoutes);

  const toolbox = new Router<State>({ prefix: '/toolbox/:sandboxId' });
  toolbox.use(markToolbox, jsonBodiesOnly, requireAuth(d, { sandbox: (ctx) => ctx.params.sandboxId }));
  const toolboxRoutes = new RouteTable(toolbox, '/toolbox/:sandboxId', d, true);
  registerProcess(toolboxRoutes);
  registerFiles(toolboxRoutes);
  registerFileSearch(toolboxRoutes);
  registerSessions(toolboxRoutes);
  registerCodeRun(toolboxRoutes);
  registerGit(toolboxRoutes);
  registerSystem(toolboxRoutes);
  registerComputerUse(toolboxRoutes);
  registerInfo(toolboxRoutes);
  registerPty(toolboxRoutes);
  registerInterpreter(toolboxRoutes);
  registerLsp(toolboxRoutes);

  // Server-wide routes outside /api: the Prometheus metrics.
  const root = new Router<State>();
  root.use(jsonBodiesOnly);
  const rootRoutes = new RouteTable(root, '', d);
  registerMetrics(rootRoutes);
  registerOpenApi(apiRoutes, [apiRoutes, toolboxRoutes, rootRoutes]);

  for (const r of [api, toolbox, root]) {
    app.use(r.routes());
    app.use(r.allowedMethods({ throw: true }));
  }
  const listRoutes = () =>
    [api, toolbox, root].flatMap((r) =>
      r.stack
        .filter((l) => l.methods.length)
        .map((l) => ({ methods: l.methods.filter((m) => m !== 'HEAD'), path: String(l.path) })),
    );

  app.use(async (ctx) => {
    throw new AppError('not_found', `no route for ${ctx.method} ${ctx.path}`, {
      hint: 'see GET /api/openapi.json for the API',
    });
  });
  return Object.assign(app, { listRoutes });
}
