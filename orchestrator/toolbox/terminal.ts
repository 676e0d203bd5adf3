// Turn-based use of a terminal (the MCP terminal tools): attach to a PTY
// session, take the output it kept while nobody was attached, optionally type
// something, collect what the terminal prints until it goes quiet, detach.
// Built on the PTY capability's message channel.
/* eslint-disable no-restricted-globals, no-restricted-properties -- wall clock: "quiet" is real time between bytes from a live terminal */
import { AppError } from '../../common/errors.js';
import type { Principal } from '../principal.js';
import type { PtyToolbox } from './pty.js';

export interface Exchange {
  /** Output produced since the last exchange (before the input was sent). */
  earlier: string;
  /** Output produced after the input, until the terminal was quiet. */
  output: string;
  /** Set when the shell exited. */
  closed?: { code: number; reason: string };
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\r(?!\n)/g;

/** Terminal output as readable text: escape sequences and bare carriage returns removed. */
export const screenText = (raw: string) => raw.replace(ANSI, '').replace(/\r\n/g, '\n');

export class TerminalToolbox {
  constructor(private readonly pty: PtyToolbox) {}

  async exchange(
    p: Principal,
    sandboxId: string,
    sessionId: string,
    input: string | undefined,
    o: { quietMs?: number; timeoutMs?: number } = {},
  ): Promise<Exchange> {
    const quietMs = o.quietMs ?? 400;
    const timeoutMs = o.timeoutMs ?? 10_000;
    const { value: ch, end } = await this.pty.connect(p, sandboxId, sessionId, { exitControl: false });
    let buf = '';
    let last = Date.now();
    let closed: Exchange['closed'];
    let refused: string | undefined;
    ch.onMessage((d) => {
      // Text frames may be control messages (§6.5: connected, or the error for an unknown session).
      if (typeof d === 'string' && d.startsWith('{"type":"control"')) {
        try {
          const c = JSON.parse(d) as { status?: string; error?: string };
          if (c.status === 'error') refused = c.error ?? 'refused';
          return;
        } catch {
          /* not a control message after all */
        }
      }
      buf += typeof d === 'string' ? d : d.toString('utf8');
      last = Date.now();
    });
    ch.onClose((code, reason) => (closed = { code, reason }));
    const settle = async (quiet: number, max: number) => {
      const start = Date.now();
      last = Math.max(last, start);
      while (!closed && Date.now() - last < quiet && Date.now() - start < max)
        await new Promise((r) => setTimeout(r, 25));
      while (!closed && Date.now() - last < quiet) {
        if (Date.now() - start >= max) break;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      await settle(150, 1000);
      const earlier = buf;
      buf = '';
      if (refused !== undefined) {
        throw new AppError(
          /not found|unknown|no such/i.test(refused) ? 'not_found' : 'failed_precondition',
          `terminal ${sessionId}: ${refused}`,
          { hint: 'terminal_create opens a new terminal' },
        );
      }
      if (input !== undefined && !closed) {
        ch.sendText(input);
        await settle(quietMs, timeoutMs);
      }
      return { earlier, output: buf, ...(closed ? { closed } : {}) };
    } finally {
      ch.end();
      end();
    }
  }
}
