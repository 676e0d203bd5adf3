// LSP helpers of the daemon: JSON-RPC over a server's stdio (against raw frames), the shapes servers may
// answer in, URI handling and how servers are launched on the injected Node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AppError } from '../../common/errors.js';
import {
  completions,
  diagnostics,
  documentLanguage,
  documentSymbols,
  hover,
  locations,
  pathToUri,
  uriToPath,
  workspaceSymbols,
} from '../../daemon/lsp/convert.js';
import { JsonRpc, loadRpcLibrary } from '../../daemon/lsp/jsonrpc.js';
import { nodeCommand } from '../../daemon/lsp/launch.js';

const R = (l1: number, c1: number, l2: number, c2: number) => ({
  start: { line: l1, character: c1 },
  end: { line: l2, character: c2 },
});

/** A fake language server at the other end of two pipes, speaking raw Content-Length frames. */
function fakeServer() {
  const toClient = new PassThrough();
  const fromClient = new PassThrough();
  const received: Record<string, unknown>[] = [];
  let pending = '';
  fromClient.on('data', (c: Buffer) => {
    pending += c.toString('utf8');
    for (
      let m;
      (m = /^Content-Length: (\d+)\r\n\r\n/.exec(pending)) && Buffer.byteLength(pending) >= m[0].length + Number(m[1]);
    ) {
      const body = Buffer.from(pending)
        .subarray(m[0].length, m[0].length + Number(m[1]))
        .toString('utf8');
      pending = Buffer.from(pending)
        .subarray(m[0].length + Number(m[1]))
        .toString('utf8');
      received.push(JSON.parse(body) as Record<string, unknown>);
    }
  });
  const frame = (msg: object, headers = '') => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
    return Buffer.concat([Buffer.from(`${headers}Content-Length: ${body.length}\r\n\r\n`), body]);
  };
  return { toClient, fromClient, received, frame };
}

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(pred(), 'condition reached within a second');
};

describe('LSP JSON-RPC (vscode-jsonrpc)', () => {
  const lib = loadRpcLibrary(process.cwd());

  it('answers requests from frames split anywhere, with multi-byte text and extra headers', async () => {
    const s = fakeServer();
    const notes: unknown[] = [];
    const rpc = new JsonRpc(lib, s.toClient, s.fromClient, {
      onNotification: (m, p) => notes.push([m, p]),
      onRequest: () => undefined,
    });
    const answer = rpc.request<string>('hover', { a: 1 }, 5000);
    await until(() => s.received.length === 1);
    assert.deepEqual(s.received[0], { jsonrpc: '2.0', id: 0, method: 'hover', params: { a: 1 } });
    const wire = Buffer.concat([
      s.frame({ method: 'x', params: { a: [1, 2] } }, 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n'),
      s.frame({ id: 0, result: 'é✓' }),
    ]);
    for (const b of wire) s.toClient.write(Buffer.from([b]));
    assert.equal(await answer, 'é✓');
    assert.deepEqual(notes, [['x', { a: [1, 2] }]]);
    rpc.dispose(new Error('done'));
  });

  it("answers the server's own requests (null when the handler has nothing)", async () => {
    const s = fakeServer();
    const rpc = new JsonRpc(lib, s.toClient, s.fromClient, {
      onNotification: () => {},
      onRequest: (m) => (m === 'workspace/configuration' ? [null] : undefined),
    });
    s.toClient.write(s.frame({ id: 7, method: 'workspace/configuration', params: { items: [{}] } }));
    s.toClient.write(s.frame({ id: 8, method: 'window/workDoneProgress/create', params: {} }));
    await until(() => s.received.length === 2);
    assert.deepEqual(s.received, [
      { jsonrpc: '2.0', id: 7, result: [null] },
      { jsonrpc: '2.0', id: 8, result: null },
    ]);
    rpc.dispose(new Error('done'));
  });

  it('times a request out, cancelling it at the server; a server error fails the request', async () => {
    const s = fakeServer();
    const rpc = new JsonRpc(lib, s.toClient, s.fromClient, { onNotification: () => {}, onRequest: () => null });
    await assert.rejects(
      rpc.request('slow', null, 50),
      (e: AppError) => e.code === 'timeout' && e.reason === 'LSP_TIMEOUT',
    );
    await until(() => s.received.some((m) => m.method === '$/cancelRequest'));
    const failing = rpc.request('bad', null, 5000);
    await until(() => s.received.some((m) => m.method === 'bad'));
    s.toClient.write(s.frame({ id: 1, error: { code: -32601, message: 'no such method' } }));
    await assert.rejects(
      failing,
      (e: AppError) => e.reason === 'LSP_REQUEST_FAILED' && /no such method/.test(e.message),
    );
    rpc.dispose(new Error('done'));
  });

  it('fails waiting requests with why the server went away, and refuses garbage', async () => {
    const s = fakeServer();
    const rpc = new JsonRpc(lib, s.toClient, s.fromClient, { onNotification: () => {}, onRequest: () => null });
    const waiting = rpc.request('hover', null, 5000);
    s.toClient.end();
    rpc.dispose(new AppError('unavailable', 'the server exited with code 1', { reason: 'LSP_SERVER_EXITED' }));
    await assert.rejects(waiting, (e: AppError) => e.reason === 'LSP_SERVER_EXITED');
    await assert.rejects(rpc.request('hover', null, 5000), (e: AppError) => e.reason === 'LSP_SERVER_EXITED');

    const g = fakeServer();
    const broken = new JsonRpc(lib, g.toClient, g.fromClient, { onNotification: () => {}, onRequest: () => null });
    const asked = broken.request('hover', null, 5000);
    g.toClient.write('Content-Length: 5\r\n\r\n{nope');
    await assert.rejects(asked, (e: AppError) => e.reason === 'LSP_PROTOCOL_ERROR');
  });
});

describe('LSP result shapes', () => {
  it('flattens DocumentSymbol trees and keeps SymbolInformation as is', () => {
    const tree = [
      {
        name: 'A',
        kind: 5,
        range: R(0, 0, 3, 0),
        selectionRange: R(0, 6, 0, 7),
        children: [{ name: 'm', kind: 6, range: R(1, 2, 2, 0), selectionRange: R(1, 6, 1, 7) }],
      },
    ];
    assert.deepEqual(documentSymbols(tree, 'file:///a.py'), [
      { name: 'A', kind: 5, location: { uri: 'file:///a.py', range: R(0, 0, 3, 0) } },
      { name: 'm', kind: 6, location: { uri: 'file:///a.py', range: R(1, 2, 2, 0) }, containerName: 'A' },
    ]);
    const info = [
      { name: 'f', kind: 12, location: { uri: 'file:///b.py', range: R(4, 0, 5, 1) }, containerName: 'mod' },
    ];
    assert.deepEqual(documentSymbols(info, 'file:///ignored'), info);
    assert.deepEqual(documentSymbols(null, 'file:///a'), []);
  });

  it('gives workspace symbols a range even when the server sends only a URI', () => {
    assert.deepEqual(workspaceSymbols([{ name: 'W', kind: 5, location: { uri: 'file:///w.ts' } }]), [
      { name: 'W', kind: 5, location: { uri: 'file:///w.ts', range: R(0, 0, 0, 0) } },
    ]);
  });

  it('normalises completion lists and arrays to the documented fields', () => {
    const item = {
      label: 'path',
      kind: 9,
      detail: 'module',
      documentation: { kind: 'markdown', value: 'x' },
      sortText: 'a',
      data: { secret: 1 },
      textEdit: { newText: 'path', range: R(0, 0, 0, 1) },
    };
    assert.deepEqual(completions([item]), {
      isIncomplete: false,
      items: [
        {
          label: 'path',
          kind: 9,
          detail: 'module',
          documentation: { kind: 'markdown', value: 'x' },
          sortText: 'a',
          insertText: 'path',
        },
      ],
    });
    assert.deepEqual(completions({ isIncomplete: true, items: [{ label: 'a' }] }), {
      isIncomplete: true,
      items: [{ label: 'a' }],
    });
    assert.deepEqual(completions(null), { isIncomplete: false, items: [] });
  });

  it('renders every hover form as one string, and nothing as null', () => {
    assert.deepEqual(hover({ contents: { kind: 'markdown', value: '**x**' }, range: R(1, 1, 1, 2) }), {
      contents: '**x**',
      range: R(1, 1, 1, 2),
    });
    assert.deepEqual(hover({ contents: [{ language: 'python', value: 'def f()' }, 'doc'] }), {
      contents: '```python\ndef f()\n```\n\ndoc',
    });
    assert.equal(hover({ contents: '' }), null);
    assert.equal(hover(null), null);
  });

  it('turns Location, Location[] and LocationLink[] into locations', () => {
    const loc = { uri: 'file:///a', range: R(1, 0, 1, 3) };
    assert.deepEqual(locations(loc), [loc]);
    assert.deepEqual(locations([loc, loc]), [loc, loc]);
    assert.deepEqual(
      locations([{ targetUri: 'file:///b', targetRange: R(0, 0, 9, 0), targetSelectionRange: R(2, 4, 2, 8) }]),
      [{ uri: 'file:///b', range: R(2, 4, 2, 8) }],
    );
    assert.deepEqual(locations(null), []);
  });

  it('keeps the useful diagnostic fields', () => {
    assert.deepEqual(
      diagnostics([{ range: R(0, 0, 0, 1), severity: 1, code: 'x', source: 'Pyright', message: 'bad', tags: [1] }]),
      [{ range: R(0, 0, 0, 1), severity: 1, code: 'x', source: 'Pyright', message: 'bad' }],
    );
  });
});

describe('document URIs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsp-uri-'));
  const paths = { workdir: dir, home: '/home/x' };
  writeFileSync(join(dir, 'a b.py'), '');

  it('takes the SDK’s "file://" + path, absolute or relative to the workdir', () => {
    assert.equal(uriToPath(paths, 'file:///etc/hosts'), '/etc/hosts');
    assert.equal(uriToPath(paths, 'file://src/main.py'), join(dir, 'src/main.py'));
    assert.equal(uriToPath(paths, `file://${dir}/a b.py`), join(dir, 'a b.py'));
    assert.equal(uriToPath(paths, `file://${dir}/a%20b.py`), join(dir, 'a b.py'), 'an encoded URI of an existing file');
    assert.throws(() => uriToPath(paths, 'http://x/y'), /unsupported/);
    assert.equal(pathToUri('/a b/c.py'), 'file:///a%20b/c.py');
  });

  it('knows document languages by extension', () => {
    assert.equal(documentLanguage('/x/a.py', 'python'), 'python');
    assert.equal(documentLanguage('/x/a.tsx', 'typescript'), 'typescriptreact');
    assert.equal(documentLanguage('/x/a.mjs', 'typescript'), 'javascript');
    assert.equal(documentLanguage('/x/README', 'typescript'), 'typescript');
  });
});

describe('language server launch', () => {
  it('runs through the folder’s loader with --library-path when the daemon does', () => {
    const c = nodeCommand('/.berth/bin', '/.berth/bin/ld-linux-x86-64.so.2');
    assert.equal(c.command, '/.berth/bin/ld-linux-x86-64.so.2');
    assert.deepEqual(c.prefix.slice(0, 3), ['--library-path', '/.berth/bin/lib', '/.berth/bin/node']);
    assert.deepEqual(nodeCommand('/x', '/usr/bin/node'), { command: '/usr/bin/node', prefix: [] });
  });
});
