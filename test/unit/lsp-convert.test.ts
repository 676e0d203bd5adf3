// Pure LSP helpers of the daemon: message framing, the shapes servers may
// answer in, URI handling and how servers are launched on the injected Node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completions, diagnostics, documentLanguage, documentSymbols, hover, locations, pathToUri, uriToPath, workspaceSymbols } from '../../daemon/lsp/convert.js';
import { encodeMessage, MessageReader } from '../../daemon/lsp/jsonrpc.js';
import { nodeCommand } from '../../daemon/lsp/launch.js';

const R = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

describe('LSP message framing', () => {
  it('reads messages split anywhere, with multi-byte text', () => {
    const wire = Buffer.concat([encodeMessage({ id: 1, result: 'é✓' }), encodeMessage({ method: 'x', params: { a: [1, 2] } })]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const r = new MessageReader();
      const out = [...r.push(wire.subarray(0, cut)), ...r.push(wire.subarray(cut))];
      assert.deepEqual(out, [
        { jsonrpc: '2.0', id: 1, result: 'é✓' },
        { jsonrpc: '2.0', method: 'x', params: { a: [1, 2] } },
      ]);
    }
  });

  it('accepts extra headers and rejects a message without a length', () => {
    const body = '{"jsonrpc":"2.0","id":2,"result":null}';
    assert.deepEqual(new MessageReader().push(Buffer.from(`Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`)), [{ jsonrpc: '2.0', id: 2, result: null }]);
    assert.throws(() => new MessageReader().push(Buffer.from('X-Nope: 1\r\n\r\n{}')), /Content-Length/);
  });
});

describe('LSP result shapes', () => {
  it('flattens DocumentSymbol trees and keeps SymbolInformation as is', () => {
    const tree = [{ name: 'A', kind: 5, range: R(0, 0, 3, 0), selectionRange: R(0, 6, 0, 7), children: [{ name: 'm', kind: 6, range: R(1, 2, 2, 0), selectionRange: R(1, 6, 1, 7) }] }];
    assert.deepEqual(documentSymbols(tree, 'file:///a.py'), [
      { name: 'A', kind: 5, location: { uri: 'file:///a.py', range: R(0, 0, 3, 0) } },
      { name: 'm', kind: 6, location: { uri: 'file:///a.py', range: R(1, 2, 2, 0) }, containerName: 'A' },
    ]);
    const info = [{ name: 'f', kind: 12, location: { uri: 'file:///b.py', range: R(4, 0, 5, 1) }, containerName: 'mod' }];
    assert.deepEqual(documentSymbols(info, 'file:///ignored'), info);
    assert.deepEqual(documentSymbols(null, 'file:///a'), []);
  });

  it('gives workspace symbols a range even when the server sends only a URI', () => {
    assert.deepEqual(workspaceSymbols([{ name: 'W', kind: 5, location: { uri: 'file:///w.ts' } }]), [{ name: 'W', kind: 5, location: { uri: 'file:///w.ts', range: R(0, 0, 0, 0) } }]);
  });

  it('normalises completion lists and arrays to the documented fields', () => {
    const item = { label: 'path', kind: 9, detail: 'module', documentation: { kind: 'markdown', value: 'x' }, sortText: 'a', data: { secret: 1 }, textEdit: { newText: 'path', range: R(0, 0, 0, 1) } };
    assert.deepEqual(completions([item]), { isIncomplete: false, items: [{ label: 'path', kind: 9, detail: 'module', documentation: { kind: 'markdown', value: 'x' }, sortText: 'a', insertText: 'path' }] });
    assert.deepEqual(completions({ isIncomplete: true, items: [{ label: 'a' }] }), { isIncomplete: true, items: [{ label: 'a' }] });
    assert.deepEqual(completions(null), { isIncomplete: false, items: [] });
  });

  it('renders every hover form as one string, and nothing as null', () => {
    assert.deepEqual(hover({ contents: { kind: 'markdown', value: '**x**' }, range: R(1, 1, 1, 2) }), { contents: '**x**', range: R(1, 1, 1, 2) });
    assert.deepEqual(hover({ contents: [{ language: 'python', value: 'def f()' }, 'doc'] }), { contents: '```python\ndef f()\n```\n\ndoc' });
    assert.equal(hover({ contents: '' }), null);
    assert.equal(hover(null), null);
  });

  it('turns Location, Location[] and LocationLink[] into locations', () => {
    const loc = { uri: 'file:///a', range: R(1, 0, 1, 3) };
    assert.deepEqual(locations(loc), [loc]);
    assert.deepEqual(locations([loc, loc]), [loc, loc]);
    assert.deepEqual(locations([{ targetUri: 'file:///b', targetRange: R(0, 0, 9, 0), targetSelectionRange: R(2, 4, 2, 8) }]), [{ uri: 'file:///b', range: R(2, 4, 2, 8) }]);
    assert.deepEqual(locations(null), []);
  });

  it('keeps the useful diagnostic fields', () => {
    assert.deepEqual(diagnostics([{ range: R(0, 0, 0, 1), severity: 1, code: 'x', source: 'Pyright', message: 'bad', tags: [1] }]), [{ range: R(0, 0, 0, 1), severity: 1, code: 'x', source: 'Pyright', message: 'bad' }]);
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
