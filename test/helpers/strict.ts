// `npm test` (scripts/test.mjs, what CI runs) sets BERTH_TEST_STRICT=1: there
// a suite whose precondition is missing (root, iproute2, the npm registry…)
// fails, saying what is missing, instead of skipping — a suite that skips in
// CI passes without testing. Run by hand (`node --test dist/test/…`), such a
// suite may skip, and says why.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

export const STRICT = process.env.BERTH_TEST_STRICT === '1';

const fix = 'BERTH_TEST_STRICT=1 (npm test, CI) never skips: provide it, or run the file by hand to skip it';

/**
 * For `describe(…, { skip: skipUnless(missing) })`: false when nothing is
 * missing; the reason locally; in strict runs the file fails.
 */
export function skipUnless(missing: string | false | undefined): string | false {
  if (!missing) return false;
  if (STRICT) throw new Error(`precondition missing: ${missing} — ${fix}`);
  return missing;
}

/** Inside a test: skips with the reason locally, fails in strict runs. */
export function skipOrFail(t: TestContext, missing: string): void {
  if (STRICT) assert.fail(`precondition missing: ${missing} — ${fix}`);
  t.skip(missing);
}
