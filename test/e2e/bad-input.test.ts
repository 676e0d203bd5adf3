// Bad input gets a clear 4xx with a machine-readable code and a hint, never a
// 500 or a hang, and nothing changes. One table row per case.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';

type Row = [
  name: string,
  method: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
  headers?: Record<string, string>,
];

const TEXT = { 'content-type': 'text/plain' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('bad input', () => {
  let stack: Stack;
  let started: { id: string };
  let countBefore = 0;
  before(async () => {
    stack = await startStack({ config: { jsonBodyLimitBytes: 4096, execOutputLimitBytes: 65536 } });
    started = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
    countBefore = (await stack.api('GET', '/sandbox')).body.items.length;
  });
  after(async () => stack?.close());

  const rows = (): Row[] => [
    ['malformed JSON', 'POST', '/sandbox', '{"name":', 400, 'invalid_argument'],
    ['a body typed text/plain', 'POST', '/sandbox', '{not json', 415, 'unsupported_media_type', TEXT],
    [
      'JSON typed as a form (curl -d without -H)',
      'POST',
      '/sandbox',
      '{"name":"from-a-form"}',
      415,
      'unsupported_media_type',
      FORM,
    ],
    [
      'a text body on a lifecycle route',
      'POST',
      `/sandbox/${started.id}/stop`,
      'now',
      415,
      'unsupported_media_type',
      TEXT,
    ],
    [
      'a text body on a toolbox route',
      'POST',
      `/toolbox/${started.id}/process/execute`,
      'echo hi',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      TEXT,
    ],
    ['unknown field', 'POST', '/sandbox', { nme: 'x' }, 400, 'invalid_argument'],
    ['wrongly typed field', 'POST', '/sandbox', { cpu: 'two' }, 400, 'invalid_argument'],
    ['negative cpu', 'POST', '/sandbox', { cpu: -1 }, 400, 'invalid_argument'],
    ['cpu over the host', 'POST', '/sandbox', { cpu: 1000 }, 400, 'invalid_argument'],
    ['memory over the host', 'POST', '/sandbox', { memory: 100000 }, 400, 'invalid_argument'],
    ['disk over the limit', 'POST', '/sandbox', { disk: 100000 }, 400, 'invalid_argument'],
    ['unknown image', 'POST', '/sandbox', { image: 'nope/nothing:latest' }, 400, 'invalid_argument'],
    ['name with spaces', 'POST', '/sandbox', { name: 'bad name!' }, 400, 'invalid_argument'],
    ['env name starting with a digit', 'POST', '/sandbox', { env: { '1A': 'x' } }, 400, 'invalid_argument'],
    [
      'invalid CIDR in the allow-list',
      'POST',
      '/sandbox',
      { networkAllowList: '10.0.0.0/33' },
      400,
      'invalid_argument',
    ],
    ['labels that are not strings', 'POST', '/sandbox', { labels: { a: 1 } }, 400, 'invalid_argument'],
    [
      'a Dockerfile without FROM',
      'POST',
      '/sandbox',
      { buildInfo: { dockerfileContent: 'RUN true\n' } },
      400,
      'invalid_argument',
    ],
    [
      'a build context never uploaded',
      'POST',
      '/sandbox',
      { buildInfo: { dockerfileContent: 'FROM x\nCOPY a /a\n', contextHashes: ['0123456789abcdef0123456789abcdef'] } },
      400,
      'invalid_argument',
    ],
    ['body over the JSON limit', 'POST', '/sandbox', { env: { A: 'x'.repeat(8000) } }, 413, 'payload_too_large'],
    ['unknown sandbox', 'GET', '/sandbox/does-not-exist', undefined, 404, 'not_found'],
    ['start an unknown sandbox', 'POST', '/sandbox/does-not-exist/start', undefined, 404, 'not_found'],
    ['archive a started sandbox', 'POST', `/sandbox/${started.id}/archive`, undefined, 409, 'failed_precondition'],
    ['labels without a labels object', 'PUT', `/sandbox/${started.id}/labels`, { team: 'a' }, 400, 'invalid_argument'],
    ['negative auto-stop', 'POST', `/sandbox/${started.id}/autostop/-5`, undefined, 400, 'invalid_argument'],
    ['labels filter that is not JSON', 'GET', '/sandbox?labels=notjson', undefined, 400, 'invalid_argument'],
    ['unknown sort key', 'GET', '/sandbox?sort=colour', undefined, 400, 'invalid_argument'],
    ['page size 0', 'GET', '/sandbox?limit=0', undefined, 400, 'invalid_argument'],
    ['unknown state filter', 'GET', '/sandbox?states=melting', undefined, 400, 'invalid_argument'],
    ['a cursor we did not issue', 'GET', '/sandbox?cursor=garbage', undefined, 400, 'invalid_argument'],
    ['unknown route', 'GET', '/nothing-here', undefined, 404, 'not_found'],
    ['empty command', 'POST', `/toolbox/${started.id}/process/execute`, { command: '' }, 400, 'INVALID_REQUEST_BODY'],
    [
      'exec in an unknown sandbox',
      'POST',
      '/toolbox/does-not-exist/process/execute',
      { command: 'true' },
      404,
      'NOT_FOUND',
    ],
    ['missing file', 'GET', `/toolbox/${started.id}/files/info?path=/nope`, undefined, 404, 'FILE_NOT_FOUND'],
    [
      'path with a NUL byte',
      'GET',
      `/toolbox/${started.id}/files/info?path=/tmp/a%00b`,
      undefined,
      400,
      'INVALID_FILE_PATH',
    ],
    [
      'a folder where a file is expected',
      'GET',
      `/toolbox/${started.id}/files/download?path=/tmp`,
      undefined,
      400,
      'INVALID_FILE_PATH',
    ],
    [
      'a non-empty folder without recursive',
      'DELETE',
      `/toolbox/${started.id}/files?path=/home`,
      undefined,
      400,
      'INVALID_FILE_PATH',
    ],
    [
      'exec with a cwd that does not exist',
      'POST',
      `/toolbox/${started.id}/process/execute`,
      { command: 'pwd', cwd: '/no/such/dir' },
      400,
      'INVALID_FILE_PATH',
    ],
  ];

  it('answers every row with its status, code and a hint or message', async () => {
    for (const [name, method, path, body, status, code, headers] of rows()) {
      const r = await stack.api(method, path, body, { headers });
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.code, code, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.statusCode, status, name);
      assert.ok(typeof r.body?.message === 'string' && r.body.message.length > 5, `${name}: no message`);
      assert.ok(!/\bat .*\.js:\d+/.test(JSON.stringify(r.body)), `${name}: leaked a stack trace`);
      if (path.startsWith('/toolbox')) assert.equal(r.body.source, 'DAYTONA_DAEMON', name);
    }
  });

  it('refuses a body of another type than JSON on every route that takes JSON, and takes it where uploads go', async () => {
    const own = [
      '/toolbox/:sandboxId/files/upload',
      '/toolbox/:sandboxId/files/upload-v2',
      '/toolbox/:sandboxId/files/bulk-upload',
    ];
    const routes = stack.server.app
      .listRoutes()
      .flatMap((r) =>
        r.methods.filter((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m)).map((m) => [m, r.path] as const),
      );
    assert.ok(routes.length > 40, `only ${routes.length} routes with bodies`);
    for (const [method, pattern] of routes) {
      const path = pattern
        .replace(/:sandboxId/, started.id)
        .replace(/\{\/\*\w+\}/g, '/x')
        .replace(/:[A-Za-z]+/g, 'x');
      const r = await fetch(stack.url + path, {
        method,
        headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'text/plain' },
        body: 'not json',
      });
      const answer = (await r.json().catch(() => null)) as { hint?: string } | null;
      if (own.includes(pattern)) assert.notEqual(r.status, 415, `${method} ${pattern} takes its own body`);
      else {
        assert.equal(r.status, 415, `${method} ${pattern}: ${JSON.stringify(answer)}`);
        assert.match(answer?.hint ?? '', /Content-Type: application\/json/, `${method} ${pattern}`);
      }
    }
    assert.equal((await stack.api('GET', `/sandbox/${started.id}`)).body.state, 'started');
  });

  it('says how to fix the common mistakes', async () => {
    const archive = await stack.api('POST', `/sandbox/${started.id}/archive`);
    assert.match(archive.body.hint, /stop the sandbox first/);
    const image = await stack.api('POST', '/sandbox', { image: 'nope/nothing:latest' });
    assert.ok(image.body.hint);
    const cpu = await stack.api('POST', '/sandbox', { cpu: 1000 });
    assert.match(cpu.body.hint, /at most cpu/);
  });

  it('rejects missing and wrong credentials with 401 and WWW-Authenticate', async () => {
    for (const key of [null, 'berth_not_a_real_key_at_all_123456']) {
      const r = await stack.api('GET', '/sandbox', undefined, { key });
      assert.equal(r.status, 401);
      assert.equal(r.body.code, 'unauthorized');
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  it('answers oversized headers with 431', async () => {
    const r = await fetch(`${stack.apiUrl}/health`, { headers: { 'x-big': 'x'.repeat(20_000) } });
    assert.equal(r.status, 431);
  });

  it('keeps at most the configured output of a command and says it cut it', async () => {
    const r = await stack.api('POST', `/toolbox/${started.id}/process/execute`, {
      command: 'head -c 300000 /dev/zero | tr "\\0" a; echo done >&2',
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.exitCode, 0);
    assert.equal(r.body.truncated, true);
    assert.ok(r.body.result.length <= 65536, `kept ${r.body.result.length} bytes`);
    assert.ok(r.body.result.length >= 60000);
  });

  it('left nothing behind', async () => {
    const list = (await stack.api('GET', '/sandbox')).body.items;
    assert.equal(list.length, countBefore);
    assert.equal((await stack.api('GET', `/sandbox/${started.id}`)).body.state, 'started');
  });
});
