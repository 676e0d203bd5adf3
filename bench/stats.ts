// What every benchmark needs: timing a call and reading percentiles.

/** Nearest-rank percentile (p in 0..100) of the samples. */
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1))]!;
};

/** Milliseconds `f` took. */
export async function timed(f: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** Milliseconds each of `n` calls of `f` took, one after another. */
export async function timeEach(n: number, f: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await timed(f));
  return out;
}

export const fmtMs = (ms: number, digits = 1): string => `${ms.toFixed(digits)} ms`;
