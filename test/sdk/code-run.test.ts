// codeRun in Python (with a matplotlib chart), JavaScript and TypeScript, and
// the stateful code interpreter, through the SDK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChartType, DaytonaTimeoutError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';

describe('SDK: codeRun and the code interpreter', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({ language: 'python' });
  });
  after(async () => {
    await t?.close();
  });

  /** The SDK takes the language from the sandbox label: relabel and fetch the sandbox again. */
  const as = async (language: string) => {
    await s.setLabels({ 'code-toolbox-language': language });
    return t.daytona.get(s.id);
  };

  it('runs Python with argv and env, and reports exit codes', async () => {
    const r = await s.process.codeRun('import sys, os\nprint("py", sys.argv[1:], os.environ["GREET"])', {
      argv: ['a', 'b'],
      env: { GREET: 'hi' },
    });
    assert.equal(r.exitCode, 0);
    assert.equal(r.result.trim(), "py ['a', 'b'] hi");
    const failing = await s.process.codeRun('raise SystemExit(4)');
    assert.equal(failing.exitCode, 4);
    const broken = await s.process.codeRun('1/0');
    assert.notEqual(broken.exitCode, 0);
    assert.match(broken.result, /ZeroDivisionError/);
  });

  it('returns matplotlib charts as artifacts', async () => {
    const r = await s.process.codeRun(`
import matplotlib.pyplot as plt
xs = [0, 1, 2, 3]
plt.plot(xs, [x * x for x in xs], label="square")
plt.title("squares")
plt.xlabel("x")
plt.ylabel("y")
plt.show()
print("drawn")
`);
    assert.equal(r.exitCode, 0, r.result);
    assert.equal(r.result.trim(), 'drawn');
    const charts = r.artifacts?.charts ?? [];
    assert.equal(charts.length, 1);
    const chart = charts[0]!;
    assert.equal(chart.type, ChartType.LINE);
    assert.equal(chart.title, 'squares');
    assert.ok(
      Buffer.from(chart.png ?? '', 'base64')
        .subarray(1, 4)
        .toString() === 'PNG',
      'a base64 PNG',
    );
    const el = (chart.elements as { label: string; points: [number, number][] }[])[0]!;
    assert.equal(el.label, 'square');
    assert.deepEqual(
      el.points.map(([x, y]) => [Number(x), Number(y)]),
      [
        [0, 0],
        [1, 1],
        [2, 4],
        [3, 9],
      ],
    );
  });

  it('runs JavaScript', async () => {
    const js = await as('javascript');
    const r = await js.process.codeRun(
      'console.log("js", process.argv.slice(2).join(","), [1, 2, 3].map((x) => x * 2).join(" "))',
      { argv: ['x', 'y'] },
    );
    assert.equal(r.exitCode, 0, r.result);
    assert.equal(r.result.trim(), 'js x,y 2 4 6');
    assert.equal((await js.process.codeRun('process.exit(5)')).exitCode, 5);
  });

  it('runs TypeScript', async () => {
    const ts = await as('typescript');
    const r = await ts.process.codeRun(
      'const add = (a: number, b: number): number => a + b;\nconsole.log(`ts ${add(2, 3)}`);',
      undefined,
      120,
    );
    assert.equal(r.exitCode, 0, r.result);
    assert.equal(r.result.trim(), 'ts 5');
  });

  it('keeps interpreter state per context and reports errors and timeouts', async () => {
    const py = await as('python');
    const first = await py.codeInterpreter.runCode('x = 41\nprint("set")');
    assert.equal(first.stdout, 'set\n');
    const second = await py.codeInterpreter.runCode('print(x + 1)');
    assert.equal(second.stdout, '42\n');
    const ctx = await py.codeInterpreter.createContext();
    const isolated = await py.codeInterpreter.runCode('print(x)', { context: ctx });
    assert.equal(isolated.error?.name, 'NameError');
    let streamed = '';
    await py.codeInterpreter.runCode('import sys\nprint("out")\nprint("err", file=sys.stderr)', {
      context: ctx,
      onStdout: (m) => void (streamed += m.output),
    });
    assert.equal(streamed, 'out\n');
    assert.ok((await py.codeInterpreter.listContexts()).some((c) => c.id === ctx.id));
    await py.codeInterpreter.deleteContext(ctx);
    await assert.rejects(
      py.codeInterpreter.runCode('import time\ntime.sleep(30)', { timeout: 1 }),
      DaytonaTimeoutError,
    );
    assert.equal((await py.codeInterpreter.runCode('print("alive")')).stdout, 'alive\n');
  });
});
