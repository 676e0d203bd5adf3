// POST /process/code-run (compat spec §4.4): Python through our wrapper
// (chart artifacts), JavaScript and TypeScript through Node (TypeScript and
// ES module syntax converted to CommonJS in the daemon, no ts-node needed).
import { AppError } from '../../common/errors.js';
import { CodeRunRequest, type Chart, type CodeRunResult } from '../../common/wire/toolbox.js';
import { capture } from '../capture.js';
import type { DaemonContext } from '../context.js';
import { readJson, sendJson, type Router } from '../router.js';
import { nodeLaunch, pythonLaunch, toCommonJs, TranspileError, type Launch } from './interpreters.js';
import { PYTHON_WRAPPER } from './python-wrapper.js';

/** Chart lines from the wrapper's artifact channel; a malformed line is skipped. */
export function parseCharts(raw: Buffer): Chart[] {
  const charts: Chart[] = [];
  for (const line of raw.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const c = JSON.parse(line) as Chart;
      if (c && typeof c === 'object' && typeof c.type === 'string') charts.push(c);
    } catch {
      /* partial line (killed mid-write) */
    }
  }
  return charts;
}

export function registerCodeRun(router: Router, ctx: DaemonContext): void {
  router.on('POST', '/process/code-run', async ({ req, res }) => {
    const body = await readJson(req, CodeRunRequest);
    const env: Record<string, string> = { ...ctx.env, ...body.envs };
    const argv = body.argv ?? [];
    let launch: Launch | null;
    let args: string[];
    let stdin: string;
    if (body.language === 'python') {
      launch = pythonLaunch(env);
      env.MPLBACKEND ??= 'Agg';
      args = ['-u', '-c', PYTHON_WRAPPER, ...argv];
      stdin = body.code;
    } else {
      launch = nodeLaunch(ctx, env);
      try {
        stdin = await toCommonJs(body.code, body.language, ctx.bundleDir);
      } catch (e) {
        if (!(e instanceof TranspileError)) throw e;
        return sendJson(res, 200, { exitCode: 1, result: e.message } satisfies CodeRunResult);
      }
      args = ['-', ...argv];
    }
    if (!launch) {
      const what = body.language === 'python' ? 'python3' : 'node';
      return sendJson(res, 200, {
        exitCode: -1,
        result: `berth: ${what} is not installed in this sandbox image; use an image that has it\n`,
      } satisfies CodeRunResult);
    }
    const r = await capture(ctx, {
      command: launch.command,
      args: [...launch.args, ...args],
      cwd: ctx.paths.workdir,
      env,
      stdin,
      fd3Out: body.language === 'python',
      timeoutMs: body.timeout ? body.timeout * 1000 : 0,
      maxOutputBytes: ctx.maxOutputBytes,
      abortOn: res.stream,
    });
    if (r.timedOut) {
      throw new AppError('timeout', `code ran longer than ${body.timeout} s and was killed`, {
        reason: 'PROCESS_EXECUTION_TIMEOUT',
        hint: 'raise the timeout, or run long jobs in a session with runAsync',
        details: { output: r.output.slice(-4096) },
      });
    }
    const charts = parseCharts(r.fd3);
    const result: CodeRunResult = {
      exitCode: r.exitCode,
      result: r.spawnError ? `berth: could not start ${body.language}: ${r.spawnError}\n` : r.output,
    };
    if (charts.length) result.artifacts = { charts };
    sendJson(res, 200, result);
  });
}
