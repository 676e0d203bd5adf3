// The OpenAPI 3.1 document of the control API and the toolbox, built from the
// route declarations the server validates with (http/route.ts) and the
// toolbox's WebSocket routes (http/ws/routes.ts): one source, no copy to keep.
import { z } from 'zod';
import type { DeclaredRoute, RouteTable } from './route.js';
import type { WsRoute } from './ws/routes.js';

const jsonSchema = (s: z.ZodType): Record<string, unknown> => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** `/sandbox/:id/files{/*rest}` → `/sandbox/{id}/files/{rest}`: @koa/router patterns as OpenAPI paths. */
export function openApiPath(koaPath: string): string {
  return koaPath
    .replace(/\{\/\*(\w+)\}/g, '/{$1}')
    .replace(/\*(\w+)/g, '{$1}')
    .replace(/:(\w+)/g, '{$1}');
}

const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

const ERROR = {
  type: 'object',
  description: 'Every error: a machine-readable code, a message, and what to do about it',
  properties: {
    code: {
      type: 'string',
      description: 'invalid_argument, unauthorized, not_found, conflict, … (toolbox routes: the Daytona daemon code)',
    },
    message: { type: 'string' },
    hint: { type: 'string' },
    reason: { type: 'string', description: 'A finer, stable reason in UPPER_SNAKE' },
    details: { type: 'object' },
  },
  required: ['message'],
};

function security(r: DeclaredRoute): unknown[] | undefined {
  if (r.auth === 'none') return [];
  if (typeof r.auth === 'object' && 'own' in r.auth) return undefined;
  return r.fullPath.startsWith('/toolbox/') ? [{ bearer: [] }, { previewToken: [] }] : [{ bearer: [] }];
}

function operation(r: DeclaredRoute): Record<string, unknown> {
  const path = openApiPath(r.fullPath);
  const paramSchemas = r.params ? ((jsonSchema(r.params).properties ?? {}) as Record<string, unknown>) : {};
  const parameters: unknown[] = pathParams(path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: paramSchemas[name] ?? { type: 'string' },
  }));
  if (r.query) {
    const q = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {}))
      parameters.push({ name, in: 'query', required: false, schema });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(r.responses ?? { 200: 'OK' })) {
    responses[status] =
      typeof answer === 'string'
        ? { description: answer }
        : { description: 'OK', content: { 'application/json': { schema: jsonSchema(answer) } } };
  }
  responses.default = {
    description: 'An error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const auth = typeof r.auth === 'object' && 'own' in r.auth ? `\n\nAuthentication: ${r.auth.own}` : '';
  return {
    summary: r.summary,
    tags: r.tags,
    ...(r.description || auth ? { description: `${r.description ?? ''}${auth}`.trim() } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(r.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(r.body),
                ...(r.example !== undefined ? { example: r.example } : {}),
              },
            },
          },
        }
      : r.bodyType
        ? {
            requestBody: {
              required: true,
              description: r.bodyType.description,
              content: { [r.bodyType.type]: { schema: {} } },
            },
          }
        : {}),
    responses,
    ...(security(r) ? { security: security(r) } : {}),
  };
}

export interface OpenApiOptions {
  version: string;
  publicUrl: string;
  /** Where the WebSocket routes live: prefix of `WsRoute.pattern`. */
  wsPrefix: string;
  socketIoPath: string;
}

export function openApiDocument(tables: RouteTable[], ws: WsRoute[], o: OpenApiOptions): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of tables.flatMap((t) => t.declared)) {
    const p = (paths[openApiPath(r.fullPath)] ??= {});
    p[r.method] = operation(r);
  }
  for (const w of ws) {
    const path = openApiPath(`${o.wsPrefix}/${w.pattern}`);
    (paths[path] ??= {}).get = {
      summary: `WebSocket: ${w.pattern}`,
      tags: ['toolbox (WebSocket)'],
      description:
        'A WebSocket upgrade (send `Upgrade: websocket`); errors before the upgrade are plain HTTP answers. docs/toolbox-streams.md',
      parameters: pathParams(path).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      responses: {
        101: { description: 'Switching protocols' },
        default: {
          description: 'An error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      security: [{ bearer: [] }, { previewToken: [] }],
    };
  }
  (paths[o.socketIoPath] ??= {}).get = {
    summary: 'Socket.IO: sandbox state notifications (Daytona SDK)',
    tags: ['notifications'],
    description: 'Socket.IO (Engine.IO v4, WebSocket transport); authenticate with `auth: { token: <api key> }`.',
    responses: { 101: { description: 'Switching protocols' } },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Berth API',
      version: o.version,
      description:
        'The control API (/api, Daytona-compatible) and each sandbox toolbox (/toolbox/{sandboxId}). ' +
        'Not described here: the preview proxy at `{port}-{sandboxId}.<preview domain>` (docs/previews.md), ' +
        'the SSH gateway (docs/ssh.md), MCP at /mcp (docs/mcp.md) and /metrics (docs/operations.md).',
    },
    servers: [{ url: o.publicUrl }],
    paths,
    components: {
      schemas: { Error: ERROR },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (or the web UI session cookie)' },
        previewToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Daytona-Preview-Token',
          description: "A sandbox's preview token: that sandbox's toolbox only",
        },
      },
    },
  };
}
