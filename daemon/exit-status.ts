// How a finished command is reported, shared by exec and the captured runs
// (code-run, git): the shell's convention for signal deaths, and how long to
// wait for output still held by background children once the command exits.
import { constants } from 'node:os';

/** After the command exits, wait this long for pipes that its background children keep open. */
export const DRAIN_MS = 100;

/** The exit code a shell would report: the code, or 128 + the signal's number. */
export function shellExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal ? 128 + (constants.signals[signal] ?? 0) : -1;
}
