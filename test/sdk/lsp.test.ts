// Language servers through the SDK: completions and symbols for Python and TypeScript.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';

describe('SDK: LSP', () => {
  let t: SdkStack;
  let s: Sandbox;
  let work: string;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({ resources: { cpu: 1, memory: 2 } });
    work = (await s.getWorkDir())!;
  });
  after(async () => {
    await t?.close();
  });

  it('completes and lists symbols in a Python file', async () => {
    await s.fs.uploadFile(
      Buffer.from('import os\n\ndef helper(value):\n    return os.path.join("a", value)\n\nos.pa\n'),
      'py/main.py',
    );
    const lsp = await s.createLspServer('python', `${work}/py`);
    await lsp.start();
    const file = `${work}/py/main.py`;
    await lsp.didOpen(file);
    const symbols = await lsp.documentSymbols(file);
    assert.ok(
      symbols.some((x) => x.name === 'helper'),
      JSON.stringify(symbols),
    );
    const completions = await lsp.completions(file, { line: 5, character: 5 });
    assert.ok(
      completions.items.some((i) => i.label === 'path'),
      JSON.stringify(completions.items.slice(0, 10)),
    );
    await lsp.didClose(file);
    await lsp.stop();
  });

  it('completes and lists symbols in a TypeScript file', async () => {
    await s.fs.uploadFile(
      Buffer.from(
        'export function shout(text: string): string {\n  return text.toUpperCase();\n}\nconst word = "hi";\nword.\n',
      ),
      'ts/index.ts',
    );
    const lsp = await s.createLspServer('typescript', `${work}/ts`);
    await lsp.start();
    const file = `${work}/ts/index.ts`;
    await lsp.didOpen(file);
    const symbols = await lsp.documentSymbols(file);
    assert.ok(
      symbols.some((x) => x.name === 'shout'),
      JSON.stringify(symbols),
    );
    const completions = await lsp.completions(file, { line: 4, character: 5 });
    assert.ok(
      completions.items.some((i) => i.label === 'toUpperCase'),
      JSON.stringify(completions.items.slice(0, 10)),
    );
    await lsp.didClose(file);
    await lsp.stop();
  });
});
