// Runs the `berth` binary as a real process against a test server. Spawned
// asynchronously on purpose: the server under test runs in this process's
// event loop (REVIEW 1).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Stack } from '../helpers/stack.js';

export const BIN = fileURLToPath(new URL('../../../bin/berth.js', import.meta.url));
/** The repository root (where README.md and `npx berth` live). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Environment pointing the CLI at `stack`, with its config file in `configFile`. */
export const cliEnv = (stack: Stack, configFile: string): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  BERTH_API_URL: stack.apiUrl,
  BERTH_API_KEY: stack.key,
  BERTH_CONFIG: configFile,
});

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Output so far, and when each stream's first byte came. */
  out: string;
  err: string;
  firstOutAt?: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function startCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, timeout: timeoutMs });
  const r: Running = { child, out: '', err: '', done: undefined as never };
  // Created with the child, before anything is awaited (REVIEW 4).
  r.done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })));
  child.stdout.on('data', (d: Buffer) => {
    r.firstOutAt ??= Date.now();
    r.out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => (r.err += d.toString()));
  return r;
}

/** Runs the CLI to the end, with `input` as its stdin (closed after it). */
export type Finished = { code: number | null; out: string; err: string };

export async function runCli(
  args: string[],
  env: Record<string, string>,
  input = '',
  timeoutMs?: number,
): Promise<Finished> {
  const r = startCli(args, env, timeoutMs);
  r.child.stdin.end(input);
  const { code } = await r.done;
  return { code, out: r.out, err: r.err };
}

/** Resolves once `r`'s stdout matches `re` (or rejects after `ms`). */
export async function waitForOutput(r: Running, re: RegExp, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!re.test(r.out)) {
    if (Date.now() - t0 > ms) {
      throw new Error(`no ${re} in the output after ${ms} ms: ${JSON.stringify(r.out)} ${JSON.stringify(r.err)}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}
