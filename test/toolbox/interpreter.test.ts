// The stateful Python interpreter end to end: contexts over REST, runs over a
// real WebSocket with the JSON chunks and close codes of compat spec §6.6.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { connectWs } from '../helpers/ws.js';
import { freePort } from '../helpers/free-port.js';
import type { Json } from '../helpers/json.js';

interface Outcome {
  chunks: Json[];
  stdout: string;
  stderr: string;
  errors: Json[];
  controls: string[];
  close: { code: number; reason: string };
  protocol: string;
}

describe('toolbox code interpreter', () => {
  let stack: Stack;
  let id: string;

  const run = async (message: unknown, opts: { protocols?: string[] } = {}): Promise<Outcome> => {
    const c = await connectWs(stack, id, 'process/interpreter/execute', opts);
    c.sendText(typeof message === 'string' ? message : JSON.stringify(message));
    const close = await c.closed;
    const chunks = c.json();
    return {
      chunks,
      stdout: chunks
        .filter((x) => x.type === 'stdout')
        .map((x) => x.text)
        .join(''),
      stderr: chunks
        .filter((x) => x.type === 'stderr')
        .map((x) => x.text)
        .join(''),
      errors: chunks.filter((x) => x.type === 'error'),
      controls: chunks.filter((x) => x.type === 'control').map((x) => x.text),
      close,
      protocol: c.protocol,
    };
  };

  before(async () => {
    const port = await freePort();
    stack = await startStack({ config: { port, publicUrl: `http://127.0.0.1:${port}` } });
    id = (await createSandbox(stack, { name: 'interp-1', cpu: 1, memory: 1 })).id;
  });
  after(async () => {
    await stack?.close();
  });

  it('keeps state across runs in the default context and sends stdout chunks', async () => {
    const a = await run({ code: 'x = 41\nprint("set", x)' });
    assert.equal(a.stdout, 'set 41\n');
    assert.deepEqual(a.controls, ['completed']);
    assert.equal(a.close.code, 1000);
    assert.equal(a.protocol, '', 'no subprotocol offered, none selected');
    for (const ch of a.chunks) assert.deepEqual(Object.keys(ch).sort(), ['name', 'text', 'traceback', 'type', 'value']);
    const b = await run({ code: 'x += 1\nx' });
    assert.equal(b.stdout, '42\n', 'a final expression is displayed, as at a prompt');
    const c = await run({ code: 'print("héllo ✓")\nimport os\n_ = os.system("echo from-a-subprocess")' });
    assert.equal(c.stdout, 'héllo ✓\nfrom-a-subprocess\n');
  });

  it('sends stderr and error chunks', async () => {
    const r = await run({ code: 'import sys\nprint("warn", file=sys.stderr)\ndef f():\n    return 1/0\nf()' });
    assert.equal(r.stderr, 'warn\n');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].name, 'ZeroDivisionError');
    assert.equal(r.errors[0].value, 'division by zero');
    assert.match(r.errors[0].traceback, /line 4, in f/);
    assert.match(r.errors[0].traceback, /return 1\/0/);
    assert.doesNotMatch(r.errors[0].traceback, /driver|berth/i, 'no frames of the driver');
    assert.deepEqual(r.controls, ['completed']);
    assert.equal(r.close.code, 1000);
    const syntax = await run({ code: 'def broken(:\n  pass' });
    assert.equal(syntax.errors[0].name, 'SyntaxError');
    const exit = await run({ code: 'import sys\nsys.exit(3)' });
    assert.equal(exit.errors[0].name, 'SystemExit');
    // The process survived all of that.
    assert.equal((await run({ code: 'print(x)' })).stdout, '42\n');
  });

  it('applies envs to one run only', async () => {
    const r = await run({ code: 'import os\nprint(os.environ.get("RUN_VAR"))', envs: { RUN_VAR: 'only-now' } });
    assert.equal(r.stdout, 'only-now\n');
    const again = await run({ code: 'import os\nprint(os.environ.get("RUN_VAR"))' });
    assert.equal(again.stdout, 'None\n');
  });

  it('creates, lists and deletes contexts with their own state and cwd', async () => {
    const created = await stack.api('POST', `/toolbox/${id}/process/interpreter/context`, { cwd: '/tmp' });
    assert.equal(created.status, 200);
    assert.equal(created.body.cwd, '/tmp');
    assert.equal(created.body.language, 'python');
    assert.equal(created.body.active, true);
    const ctxId = created.body.id;
    const own = await run({
      code: 'import os\nprint(os.getcwd())\ntry:\n    x\nexcept NameError:\n    print("isolated")',
      contextId: ctxId,
    });
    assert.equal(own.stdout, '/tmp\nisolated\n');
    const listed = await stack.api('GET', `/toolbox/${id}/process/interpreter/context`);
    assert.deepEqual(
      listed.body.contexts.map((c: { id: string }) => c.id),
      [ctxId],
      'the default context is not listed',
    );
    assert.equal(
      (await stack.api('POST', `/toolbox/${id}/process/interpreter/context`, { language: 'ruby' })).status,
      400,
    );
    assert.equal(
      (await stack.api('POST', `/toolbox/${id}/process/interpreter/context`, { cwd: '/no/such/dir' })).status,
      400,
    );
    assert.equal((await stack.api('DELETE', `/toolbox/${id}/process/interpreter/context/${ctxId}`)).status, 200);
    assert.equal((await stack.api('DELETE', `/toolbox/${id}/process/interpreter/context/${ctxId}`)).status, 404);
    const gone = await run({ code: 'print(1)', contextId: ctxId });
    assert.equal(gone.close.code, 1008);
    assert.match(gone.close.reason, /not found/);
  });

  it('runs executions of one context in order (FIFO)', async () => {
    const c1 = await connectWs(stack, id, 'process/interpreter/execute');
    const c2 = await connectWs(stack, id, 'process/interpreter/execute');
    c1.sendText(JSON.stringify({ code: 'import time\ntime.sleep(1)\norder = ["first"]' }));
    await new Promise((r) => setTimeout(r, 200));
    c2.sendText(JSON.stringify({ code: 'order.append("second")\nprint(order)' }));
    const [a, b] = await Promise.all([c1.closed, c2.closed]);
    assert.equal(a.code, 1000);
    assert.equal(b.code, 1000);
    // print() may reach the socket as more than one chunk (text, then newline).
    const stdout = c2
      .json()
      .filter((x) => x.type === 'stdout')
      .map((x) => x.text)
      .join('');
    assert.equal(stdout, "['first', 'second']\n");
  });

  it('times out with an error chunk and close 4008, without `interrupted`, and the context lives on', async () => {
    const started = Date.now();
    const r = await run({ code: 'import time\nprint("before", flush=True)\ntime.sleep(60)', timeout: 1 });
    assert.ok(Date.now() - started < 10_000);
    assert.equal(r.close.code, 4008);
    assert.equal(r.stdout, 'before\n');
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].name, 'TimeoutError');
    assert.deepEqual(r.controls, [], 'neither completed nor interrupted');
    const after = await run({ code: 'print(x)' });
    assert.equal(after.stdout, '42\n', 'the interrupt left the state intact');
    // Code that ignores Ctrl+C is killed; the next run gets a fresh process.
    const stubborn = await run({
      code: 'import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(60)',
      timeout: 1,
    });
    assert.equal(stubborn.close.code, 4008);
    const fresh = await run({ code: 'print("alive")' });
    assert.equal(fresh.stdout, 'alive\n');
  });

  it('rejects malformed requests with a policy close', async () => {
    assert.equal((await run('not json')).close.code, 1008);
    assert.equal((await run({ nocode: true })).close.code, 1008);
    const echoed = await run({ code: 'print(1)' }, { protocols: ['X-Daytona-SDK-Version~0.218.0'] });
    assert.equal(echoed.protocol, 'X-Daytona-SDK-Version~0.218.0');
  });

  it('works with the Daytona SDK (runCode, contexts, timeout)', async () => {
    const { Daytona, DaytonaTimeoutError } = await import('@daytonaio/sdk');
    const daytona = new Daytona({ apiKey: stack.key, apiUrl: stack.apiUrl, target: 'local' });
    const sandbox = await daytona.get(id);
    const ci = sandbox.codeInterpreter;
    const r = await ci.runCode('y = 6 * 7\nprint(y)');
    assert.equal(r.stdout, '42\n');
    assert.equal(r.error, undefined);
    const e = await ci.runCode('raise ValueError("bad")');
    assert.equal(e.error?.name, 'ValueError');
    const ctx = await ci.createContext('/tmp');
    const inCtx = await ci.runCode('import os\nprint(os.getcwd())', { context: ctx });
    assert.equal(inCtx.stdout, '/tmp\n');
    assert.ok((await ci.listContexts()).some((c) => c.id === ctx.id));
    await ci.deleteContext(ctx);
    await assert.rejects(ci.runCode('import time\ntime.sleep(30)', { timeout: 1 }), DaytonaTimeoutError);
  });
});
