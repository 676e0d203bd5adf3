// GET /api/openapi.json, where every 404 hint points: it describes every route
// the server registered (from the same declarations it validates with), the
// toolbox's WebSockets and Socket.IO, and each request example is accepted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openApiPath } from '../../http/openapi.js';
import { WS_ROUTES } from '../../http/ws/routes.js';
import { startStack, type Stack } from '../helpers/stack.js';

type Operation = { requestBody?: { content?: Record<string, { example?: unknown }> }; summary?: string };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let stack: Stack;
  let doc: Doc;

  before(async () => {
    stack = await startStack();
    const r = await fetch(`${stack.url}/api/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    doc = (await r.json()) as Doc;
  });
  after(async () => stack?.close());

  it('is OpenAPI 3.1 and needs no key', () => {
    assert.equal(doc.openapi, '3.1.0');
  });

  it('describes every route the server registered', () => {
    const missing = stack.server.app
      .listRoutes()
      .flatMap((r) => r.methods.map((m) => [m.toLowerCase(), openApiPath(r.path)] as const))
      .filter(([m, p]) => !doc.paths[p]?.[m])
      .map(([m, p]) => `${m.toUpperCase()} ${p}`);
    assert.deepEqual(missing, []);
  });

  it('describes the toolbox WebSockets and Socket.IO as upgrades', () => {
    for (const w of WS_ROUTES) assert.ok(doc.paths[openApiPath(`/toolbox/:sandboxId/${w.pattern}`)]?.get, w.pattern);
    assert.ok(doc.paths['/api/socket.io/']?.get);
  });

  it('has request examples the server accepts', async () => {
    const examples = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const example = op.requestBody?.content?.['application/json']?.example;
        return example === undefined ? [] : [{ method, path, example }];
      }),
    );
    assert.ok(examples.length > 0);
    // Each example goes to the server as is: the answer may be any state error (404 for an unknown id), never a 400.
    for (const e of examples) {
      const path = e.path.replace(/\{(\w+)\}/g, 'no-such-$1');
      const r = await stack.api(e.method.toUpperCase(), path.replace(/^\/api/, ''), e.example);
      assert.notEqual(r.status, 400, `${e.method.toUpperCase()} ${e.path}: ${JSON.stringify(r.body)}`);
    }
  });
});
