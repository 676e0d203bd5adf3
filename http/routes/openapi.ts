// GET /api/openapi.json: the API as OpenAPI 3.1, from the route declarations (http/openapi.ts).
import { BERTH_VERSION } from '../../common/version.js';
import { openApiDocument } from '../openapi.js';
import { route, type RouteTable } from '../route.js';
import { WS_ROUTES } from '../ws/routes.js';

export function registerOpenApi(t: RouteTable, all: RouteTable[]): void {
  let doc: Record<string, unknown> | undefined;
  route(t, { method: 'get', path: '/openapi.json', summary: 'This document', tags: ['meta'], auth: 'none' }, (ctx) => {
    // Built on first use: every route is registered by then, and the routes do not change afterwards.
    doc ??= openApiDocument(all, WS_ROUTES, {
      version: BERTH_VERSION,
      publicUrl: t.d.config.publicUrl,
      wsPrefix: '/toolbox/:sandboxId',
      socketIoPath: '/api/socket.io/',
    });
    ctx.body = doc;
  });
}
