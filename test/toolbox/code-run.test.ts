// POST /process/code-run over real HTTP in a real sandbox: Python (with
// matplotlib charts of every type), JavaScript and TypeScript, argv, env,
// timeouts, and Node-less images.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSandbox } from '../helpers/stack.js';
import { assertDaemonError, toolboxFixture, type Toolbox } from './fixture.js';

const CHARTS = `
import matplotlib.pyplot as plt
import numpy as np

x = np.linspace(0, 10, 5)
plt.figure(); plt.plot(x, x * 2, label='double'); plt.title('Line'); plt.xlabel('time'); plt.ylabel('value'); plt.show()
plt.figure(); plt.scatter([1, 2, 3], [4, 5, 6], label='pts'); plt.title('Scatter'); plt.show()
plt.figure(); plt.bar(['a', 'b', 'c'], [3, 1, 2], label='sales'); plt.title('Bar'); plt.show()
plt.figure(); plt.pie([1, 1, 2], labels=['x', 'y', 'z']); plt.title('Pie'); plt.show()
plt.figure(); plt.boxplot([[1, 2, 3, 4, 5, 40], [2, 3, 4]], labels=['A', 'B']); plt.title('Box'); plt.show()
fig, (left, right) = plt.subplots(1, 2); left.plot([1, 2], [3, 4]); right.bar(['q'], [1]); fig.suptitle('Both'); plt.show()
plt.figure(); plt.plot([1, 2, 3]); plt.title('Never shown')
print('printed')
`;
import type { Json } from '../helpers/json.js';

describe('toolbox: code-run', () => {
  let t: Toolbox;
  before(async () => {
    t = await toolboxFixture();
  });
  after(async () => {
    await t?.close();
  });

  const run = (body: Record<string, unknown>) => t.tb('POST', '/process/code-run', body);

  it('runs Python with argv, env and the exit code', async () => {
    const r = await run({
      language: 'python',
      code: 'import os, sys\nprint(sys.argv[1:], os.environ["GREETING"])\nprint("to stderr", file=sys.stderr)\nsys.exit(3)',
      argv: ['a b', 'c'],
      envs: { GREETING: 'hi' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.exitCode, 3);
    assert.equal(r.body.result, "['a b', 'c'] hi\nto stderr\n");
    assert.equal(r.body.artifacts, undefined);
    const err = await run({ language: 'python', code: 'def f():\n    raise ValueError("boom")\nf()' });
    assert.equal(err.body.exitCode, 1);
    assert.match(err.body.result, /File "<stdin>", line 3[\s\S]*ValueError: boom/);
    assert.doesNotMatch(err.body.result, /_main|exec\(/, 'the wrapper stays out of tracebacks');
  });

  it('returns a chart for every matplotlib figure, of each chart type', async () => {
    const r = await run({ language: 'python', code: CHARTS });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    assert.equal(r.body.exitCode, 0, r.body.result);
    assert.equal(r.body.result, 'printed\n');
    const charts = r.body.artifacts.charts;
    assert.deepEqual(
      charts.map((c: Json) => [c.type, c.title]),
      [
        ['line', 'Line'],
        ['scatter', 'Scatter'],
        ['bar', 'Bar'],
        ['pie', 'Pie'],
        ['box_and_whisker', 'Box'],
        ['composite_chart', 'Both'],
        ['line', 'Never shown'],
      ],
    );
    for (const c of charts)
      assert.ok(Buffer.from(c.png, 'base64').subarray(1, 4).toString() === 'PNG', `${c.title} has a PNG`);
    const [line, scatter, bar, pie, box, composite] = charts;
    assert.equal(line.x_label, 'time');
    assert.equal(line.y_label, 'value');
    assert.equal(line.x_scale, 'linear');
    assert.ok(line.x_ticks.length > 0 && line.x_tick_labels.length === line.x_ticks.length);
    assert.deepEqual(line.elements, [
      {
        label: 'double',
        points: [
          [0, 0],
          [2.5, 5],
          [5, 10],
          [7.5, 15],
          [10, 20],
        ],
      },
    ]);
    assert.deepEqual(scatter.elements, [
      {
        label: 'pts',
        points: [
          [1, 4],
          [2, 5],
          [3, 6],
        ],
      },
    ]);
    assert.deepEqual(bar.elements, [
      { label: 'a', group: 'sales', value: '3.0' },
      { label: 'b', group: 'sales', value: '1.0' },
      { label: 'c', group: 'sales', value: '2.0' },
    ]);
    assert.deepEqual(
      pie.elements.map((e: Json) => [e.label, Math.round(e.angle), e.radius]),
      [
        ['x', 90, 1],
        ['y', 90, 1],
        ['z', 180, 1],
      ],
    );
    assert.deepEqual(box.elements[0], {
      label: 'A',
      min: 1,
      first_quartile: 2.25,
      median: 3.5,
      third_quartile: 4.75,
      max: 5,
      outliers: [40],
    });
    assert.equal(box.elements[1].label, 'B');
    assert.deepEqual(
      composite.elements.map((e: Json) => e.type),
      ['line', 'bar'],
    );
  });

  it('runs JavaScript and TypeScript with argv and env', async () => {
    const js = await run({
      language: 'javascript',
      code: 'console.log(process.argv.slice(2).join(","), process.env.N); console.error("e"); process.exit(5)',
      argv: ['x', 'y'],
      envs: { N: '7' },
    });
    assert.deepEqual([js.status, js.body.exitCode, js.body.result], [200, 5, 'x,y 7\ne\n']);
    const esm = await run({
      language: 'javascript',
      code: 'import { join } from "node:path";\nconsole.log(join("a", "b"))',
    });
    assert.equal(esm.body.result, 'a/b\n');
    const ts = await run({
      language: 'typescript',
      code: 'import * as os from "os";\ninterface P { n: number }\nenum Color { Red, Green }\nconst p: P = { n: 40 + Color.Green };\nconst f = (x: number): string => `v=${x}`;\nconsole.log(f(p.n + 1), typeof os.platform(), process.argv[2]);',
      argv: ['arg'],
    });
    assert.deepEqual([ts.body.exitCode, ts.body.result], [0, 'v=42 string arg\n']);
    const bad = await run({ language: 'typescript', code: 'const x: = 1;' });
    assert.equal(bad.body.exitCode, 1);
    assert.match(bad.body.result, /^code\.ts\(1,\d+\): error: Unexpected token/);
  });

  it('kills code that runs past its timeout, process tree included', async () => {
    const t0 = Date.now();
    const r = await run({
      language: 'python',
      code: 'import subprocess, time\nsubprocess.Popen(["sleep", "77"])\nprint("started", flush=True)\ntime.sleep(60)',
      timeout: 1,
    });
    assert.ok(Date.now() - t0 < 15_000);
    assertDaemonError(r, 408, 'PROCESS_EXECUTION_TIMEOUT');
    assert.match(r.body.details.output, /started/);
    assert.equal((await t.sh('ps -eo args= | grep -cx "sleep 77"')).result.trim(), '0');
    const js = await run({ language: 'javascript', code: 'setInterval(() => {}, 1000)', timeout: 1 });
    assertDaemonError(js, 408, 'PROCESS_EXECUTION_TIMEOUT');
  });

  it('rejects bad requests with 400', async () => {
    assertDaemonError(await run({ language: 'ruby', code: 'puts 1' }), 400, 'INVALID_REQUEST_BODY');
    assertDaemonError(await run({ language: 'python' }), 400, 'INVALID_REQUEST_BODY');
    assertDaemonError(await run({ language: 'python', code: '1', envs: { '1BAD': 'x' } }), 400, 'INVALID_REQUEST_BODY');
    assertDaemonError(await run({ language: 'python', code: '1', argv: ['a\u0000b'] }), 400, 'INVALID_REQUEST_BODY');
  });

  it('runs JavaScript and TypeScript on the injected Node in an image without node', async () => {
    const image = 'berth-test/no-node:latest';
    execFileSync('docker', ['build', '-q', '-t', image, '-'], {
      input:
        'FROM berth/sandbox-base:latest\nUSER root\nRUN rm -f /usr/bin/node /usr/bin/nodejs /usr/local/bin/node\nUSER berth\n',
    });
    let id = '';
    try {
      id = (await createSandbox(t.stack, { image, cpu: 1, memory: 1, disk: 2 })).id;
      const call = (body: unknown) => t.stack.api('POST', `/toolbox/${id}/process/code-run`, body);
      assert.equal(
        (await t.stack.api('POST', `/toolbox/${id}/process/execute`, { command: 'command -v node || echo absent' }))
          .body.result,
        'absent\n',
      );
      const code =
        'const { execSync } = require("child_process");\nconst ld: string = process.env.LD_LIBRARY_PATH ?? "unset";\nconsole.log(ld, execSync("echo child:${LD_LIBRARY_PATH:-unset}").toString().trim(), process.version);';
      const ts = await call({ language: 'typescript', code });
      assert.equal(ts.body.exitCode, 0, ts.body.result);
      assert.match(ts.body.result, /^unset child:unset v\d+\./);
      const js = await call({ language: 'javascript', code: 'console.log(40 + 2)' });
      assert.equal(js.body.result, '42\n');
    } finally {
      if (id) await t.stack.api('DELETE', `/sandbox/${id}`);
      execFileSync('docker', ['rmi', '-f', image]);
    }
  });
});
