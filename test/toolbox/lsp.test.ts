// Language servers end to end: the pyright and typescript-language-server
// shipped in the daemon folder, running in a real sandbox with no registry
// access, through the toolbox REST API (compat spec §4.9) and the SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { freePort } from '../helpers/free-port.js';

const PY_MAIN = `import os


class Greeter:
    def greet(self, name: str) -> str:
        return "hi " + name


def helper(x: int) -> int:
    """Doubles x."""
    return x * 2


g = Greeter()
print(helper(2), g.greet("a"))
`;
const PY_COMPLETE = 'import os\nos.pa';
const PY_BAD = 'count: int = "three"\nprint(undefined_name)\n';

const TS_INDEX = `export interface Point {
  x: number;
  y: number;
}

export function dist(p: Point): number {
  return Math.sqrt(p.x * p.x + p.y * p.y);
}

const origin: Point = { x: 0, y: 0 };
const n = dist(origin);
n.toFi`;
const TS_BAD = 'const s: string = 42;\n';

describe('toolbox LSP', () => {
  let stack: Stack;
  let id: string;
  let home: string;

  const tb = async (method: 'GET' | 'POST', path: string, body?: unknown) =>
    stack.api(method, `/toolbox/${id}/lsp/${path}`, body);
  const write = async (path: string, text: string) => {
    const r = await exec(
      stack,
      id,
      `mkdir -p "$(dirname '${path}')" && base64 -d > '${path}' <<'EOF'\n${Buffer.from(text).toString('base64')}\nEOF`,
    );
    assert.equal(r.exitCode, 0, r.result);
  };

  before(async () => {
    const port = await freePort();
    stack = await startStack({ config: { port, publicUrl: `http://127.0.0.1:${port}` } });
    id = (await createSandbox(stack, { name: 'lsp-1', cpu: 1, memory: 1 })).id;
    home = (await stack.api('GET', `/toolbox/${id}/work-dir`)).body.dir;
    await write(`${home}/py/main.py`, PY_MAIN);
    await write(`${home}/py/complete.py`, PY_COMPLETE);
    await write(`${home}/py/bad.py`, PY_BAD);
    await write(`${home}/ts/index.ts`, TS_INDEX);
    await write(`${home}/ts/bad.ts`, TS_BAD);
    await write(`${home}/ts/util.js`, 'function jsOnly(a) { return a + 1 }\nmodule.exports = { jsOnly }\n');
  });
  after(async () => {
    await stack?.close();
  });

  it('refuses use before start with LSP_SERVER_NOT_INITIALIZED (400)', async () => {
    const r = await tb('POST', 'completions', {
      languageId: 'python',
      pathToProject: `${home}/py`,
      uri: `file://${home}/py/main.py`,
      position: { line: 0, character: 0 },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'LSP_SERVER_NOT_INITIALIZED');
    assert.equal(r.body.source, 'DAYTONA_DAEMON');
    const sym = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/document-symbols?languageId=python&pathToProject=${encodeURIComponent(`${home}/py`)}&uri=${encodeURIComponent(`file://${home}/py/main.py`)}`,
    );
    assert.equal(sym.status, 400);
    assert.equal(sym.body.code, 'LSP_SERVER_NOT_INITIALIZED');
    assert.equal((await tb('POST', 'start', { languageId: 'ruby', pathToProject: `${home}/py` })).status, 400);
    assert.equal((await tb('POST', 'start', { languageId: 'python', pathToProject: `${home}/nope` })).status, 400);
  });

  it('serves Python: symbols, completions, hover, definition, diagnostics (pyright)', async () => {
    // A relative project path and relative URIs resolve against the workdir.
    const base = { languageId: 'python', pathToProject: 'py' };
    assert.equal((await tb('POST', 'start', base)).status, 200);
    assert.equal((await tb('POST', 'start', base)).status, 200, 'start is idempotent');
    assert.equal((await tb('POST', 'did-open', { ...base, uri: 'file://py/main.py' })).status, 200);

    const symbols = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/document-symbols?languageId=python&pathToProject=py&uri=${encodeURIComponent('file://py/main.py')}`,
    );
    assert.equal(symbols.status, 200);
    const names = symbols.body.map((s: { name: string }) => s.name);
    for (const n of ['Greeter', 'greet', 'helper', 'g']) assert.ok(names.includes(n), `${n} in ${names}`);
    const greeter = symbols.body.find((s: { name: string }) => s.name === 'Greeter');
    assert.equal(greeter.kind, 5, 'Class');
    assert.equal(greeter.location.uri, `file://${home}/py/main.py`);
    assert.equal(greeter.location.range.start.line, 3);

    const comp = await tb('POST', 'completions', {
      ...base,
      uri: `file://${home}/py/complete.py`,
      position: { line: 1, character: 5 },
    });
    assert.equal(comp.status, 200);
    assert.equal(typeof comp.body.isIncomplete, 'boolean');
    assert.ok(
      comp.body.items.some((i: { label: string }) => i.label === 'path'),
      JSON.stringify(comp.body.items.slice(0, 5)),
    );

    const ws = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/workspacesymbols?languageId=python&pathToProject=py&query=Greet`,
    );
    assert.equal(ws.status, 200);
    assert.ok(
      ws.body.some((s: { name: string }) => s.name === 'Greeter'),
      JSON.stringify(ws.body),
    );

    const hover = await tb('POST', 'hover', { ...base, uri: 'file://py/main.py', position: { line: 8, character: 5 } });
    assert.equal(hover.status, 200);
    assert.match(hover.body.hover.contents, /def helper\(x: int\) -> int/);
    assert.match(hover.body.hover.contents, /Doubles x/);

    const def = await tb('POST', 'definition', {
      ...base,
      uri: 'file://py/main.py',
      position: { line: 13, character: 6 },
    });
    assert.equal(def.status, 200);
    assert.equal(def.body.length, 1);
    assert.equal(def.body[0].uri, `file://${home}/py/main.py`);
    assert.equal(def.body[0].range.start.line, 3);

    const diags = await tb('POST', 'diagnostics', { ...base, uri: 'file://py/bad.py' });
    assert.equal(diags.status, 200);
    const messages = diags.body.map((d: { message: string }) => d.message).join('\n');
    assert.match(messages, /undefined_name/);
    assert.match(messages, /"Literal\['three'\]" is not assignable|str.*int/);
    assert.ok(diags.body.every((d: { severity: number }) => d.severity >= 1 && d.severity <= 4));

    // The file changes on disk: the next question sees the new content.
    await write(`${home}/py/bad.py`, 'count: int = 3\nprint(count)\n');
    const fixed = await tb('POST', 'diagnostics', { ...base, uri: 'file://py/bad.py' });
    assert.deepEqual(fixed.body, []);

    assert.equal((await tb('POST', 'did-close', { ...base, uri: 'file://py/main.py' })).status, 200);
    assert.equal((await tb('POST', 'stop', base)).status, 200);
    const after = await tb('POST', 'completions', {
      ...base,
      uri: 'file://py/complete.py',
      position: { line: 1, character: 5 },
    });
    assert.equal(after.status, 400);
    assert.equal(after.body.code, 'LSP_SERVER_NOT_INITIALIZED');
  });

  it('serves TypeScript and JavaScript (typescript-language-server + shipped TypeScript)', async () => {
    const base = { languageId: 'typescript', pathToProject: `${home}/ts` };
    assert.equal((await tb('POST', 'start', base)).status, 200);
    assert.equal((await tb('POST', 'did-open', { ...base, uri: `file://${home}/ts/index.ts` })).status, 200);
    const comp = await tb('POST', 'completions', {
      ...base,
      uri: `file://${home}/ts/index.ts`,
      position: { line: 11, character: 6 },
    });
    assert.equal(comp.status, 200);
    assert.ok(
      comp.body.items.some((i: { label: string }) => i.label === 'toFixed'),
      JSON.stringify(comp.body.items.slice(0, 5)),
    );
    const symbols = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/document-symbols?languageId=typescript&pathToProject=${encodeURIComponent(`${home}/ts`)}&uri=${encodeURIComponent(`file://${home}/ts/index.ts`)}`,
    );
    const names = symbols.body.map((s: { name: string }) => s.name);
    for (const n of ['Point', 'dist', 'origin']) assert.ok(names.includes(n), `${n} in ${names}`);
    const ws = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/workspacesymbols?languageId=typescript&pathToProject=${encodeURIComponent(`${home}/ts`)}&query=dist`,
    );
    assert.ok(
      ws.body.some((s: { name: string }) => s.name === 'dist'),
      JSON.stringify(ws.body),
    );
    const hover = await tb('POST', 'hover', {
      ...base,
      uri: `file://${home}/ts/index.ts`,
      position: { line: 10, character: 11 },
    });
    assert.match(hover.body.hover.contents, /function dist\(p: Point\): number/);
    const def = await tb('POST', 'definition', {
      ...base,
      uri: `file://${home}/ts/index.ts`,
      position: { line: 10, character: 11 },
    });
    assert.equal(def.body[0].uri, `file://${home}/ts/index.ts`);
    assert.equal(def.body[0].range.start.line, 5);
    const diags = await tb('POST', 'diagnostics', { ...base, uri: `file://${home}/ts/bad.ts` });
    assert.match(
      diags.body.map((d: { message: string }) => d.message).join('\n'),
      /Type 'number' is not assignable to type 'string'/,
    );

    const js = { languageId: 'javascript', pathToProject: `${home}/ts` };
    assert.equal((await tb('POST', 'start', js)).status, 200);
    const jsSymbols = await tb('POST', 'did-open', { ...js, uri: `file://${home}/ts/util.js` });
    assert.equal(jsSymbols.status, 200);
    const jsDoc = await stack.api(
      'GET',
      `/toolbox/${id}/lsp/document-symbols?languageId=javascript&pathToProject=${encodeURIComponent(`${home}/ts`)}&uri=${encodeURIComponent(`file://${home}/ts/util.js`)}`,
    );
    assert.ok(
      jsDoc.body.some((s: { name: string }) => s.name === 'jsOnly'),
      JSON.stringify(jsDoc.body),
    );

    // The servers run on the injected Node through its loader; nothing leaks LD_LIBRARY_PATH.
    const ps = await exec(
      stack,
      id,
      'for p in $(pgrep -f "[t]sserver|[t]ypescript-language-server"); do echo "$(tr "\\0" " " < /proc/$p/cmdline)"; tr "\\0" "\\n" < /proc/$p/environ | grep -c "^LD_LIBRARY_PATH=" || true; done; env | grep -c "^LD_" || true',
    );
    assert.match(
      ps.result,
      /\/\.berth\/bin\/ld-linux[^ ]* --library-path \/\.berth\/bin\/lib \/\.berth\/bin\/node .*tsserver\.js/,
    );
    assert.doesNotMatch(ps.result, /^[1-9]/m, ps.result);

    await tb('POST', 'stop', js);
    await tb('POST', 'stop', base);
    // (The brackets keep the pattern from matching the shell that runs pgrep.)
    const left = await exec(
      stack,
      id,
      'for i in $(seq 50); do n=$(pgrep -fc "[t]sserver|[t]ypescript-language-server"); [ "$n" = 0 ] && break; sleep 0.1; done; echo $n',
    );
    assert.equal(left.result.trim(), '0', 'stop takes tsserver along');
  });

  it('works with the Daytona SDK LspServer', async () => {
    const { Daytona } = await import('@daytonaio/sdk');
    const daytona = new Daytona({ apiKey: stack.key, apiUrl: stack.apiUrl, target: 'local' });
    const sandbox = await daytona.get(id);
    const lsp = await sandbox.createLspServer('python', `${home}/py`);
    await lsp.start();
    await lsp.didOpen(`${home}/py/main.py`);
    const symbols = await lsp.documentSymbols(`${home}/py/main.py`);
    assert.ok(symbols.some((s) => s.name === 'helper'));
    const comp = await lsp.completions(`${home}/py/complete.py`, { line: 1, character: 5 });
    assert.ok(comp.items.some((i) => i.label === 'path'));
    const ws = await lsp.sandboxSymbols('helper');
    assert.ok(ws.some((s) => s.name === 'helper'));
    await lsp.didClose(`${home}/py/main.py`);
    await lsp.stop();
  });
});
