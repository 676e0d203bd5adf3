// The toolbox's WebSocket routes: what each opens through the orchestrator
// before the upgrade (so auth, 404, 409 and 400 are plain HTTP answers), and
// which subprotocol it echoes.
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { PtyCreateRequest } from '../../common/wire/pty.js';
import type { MessageChannel, Principal } from '../../orchestrator/index.js';
import type { HttpDeps } from '../context.js';
import { PTY_EXIT_CONTROL, ptyEnvs, SDK_VERSION_PREFIX } from './protocols.js';
import { attachmentChannel, execAttachRequest } from './exec-attach.js';

export type Opened =
  { kind: 'channel'; channel: MessageChannel; end: () => void } | { kind: 'stream'; stream: Readable; end: () => void };

export interface WsCall {
  d: HttpDeps;
  principal: Principal;
  sandboxId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  offered: string[];
}

export interface WsRoute {
  /** Path after /toolbox/{sandboxId}; `:name` segments are parameters. */
  pattern: string;
  /** Subprotocols to prefer when the client offers several (see selectProtocol). */
  prefer: string[];
  open(c: WsCall): Promise<Opened>;
}

const channel = (r: { value: MessageChannel; end: () => void }): Opened => ({
  kind: 'channel',
  channel: r.value,
  end: r.end,
});

/** The query parsed; a bad one is reported only to who may see the sandbox (anyone else gets its 404). */
async function parsed<T>(c: WsCall, parse: (c: WsCall) => T): Promise<T> {
  try {
    return parse(c);
  } catch (e) {
    await c.d.orch.sandboxes.get(c.principal, c.sandboxId);
    throw e;
  }
}

function ptyCreateRequest(c: WsCall): PtyCreateRequest {
  const q = c.query;
  const num = (name: string) => {
    const v = q.get(name);
    return v === null || v === '' ? undefined : Number(v);
  };
  const r = PtyCreateRequest.safeParse({
    id: q.get('id') ?? '',
    cwd: q.get('cwd') || undefined,
    cols: num('cols'),
    rows: num('rows'),
    envs: ptyEnvs(c.offered),
  });
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw new AppError('invalid_argument', `invalid PTY request: ${problems.join('; ')}`, {
      reason: 'BAD_REQUEST',
      hint: 'pass ?id=<name>&cols=<1-1000>&rows=<1-1000>[&cwd=<folder>]',
      details: { problems },
    });
  }
  return r.data;
}

/** §6.4: existing log content, then live output, as binary frames; closes 1000 when the command is done. */
async function followLogs(c: WsCall, sessionId: string, commandId?: string): Promise<Opened> {
  const r = await c.d.orch.toolbox.sessions.followLogs(c.principal, c.sandboxId, sessionId, commandId);
  return { kind: 'stream', stream: r.value, end: r.end };
}

const PTY_PREFER = [PTY_EXIT_CONTROL, SDK_VERSION_PREFIX];
const DEFAULT_PREFER = [SDK_VERSION_PREFIX];

export const WS_ROUTES: WsRoute[] = [
  {
    pattern: 'process/pty/create-connect',
    prefer: PTY_PREFER,
    open: async (c) =>
      channel(
        await c.d.orch.toolbox.pty.createConnect(c.principal, c.sandboxId, await parsed(c, ptyCreateRequest), {
          exitControl: c.offered.includes(PTY_EXIT_CONTROL),
        }),
      ),
  },
  {
    pattern: 'process/pty/:id/connect',
    prefer: PTY_PREFER,
    open: async (c) =>
      channel(
        await c.d.orch.toolbox.pty.connect(c.principal, c.sandboxId, c.params.id!, {
          exitControl: c.offered.includes(PTY_EXIT_CONTROL),
        }),
      ),
  },
  {
    pattern: 'process/exec/attach',
    prefer: DEFAULT_PREFER,
    open: async (c) => {
      const r = await c.d.orch.toolbox.execAttach.start(
        c.principal,
        c.sandboxId,
        await parsed(c, (w) => execAttachRequest(w.query)),
      );
      return { kind: 'channel', channel: attachmentChannel(r.value), end: r.end };
    },
  },
  {
    pattern: 'process/interpreter/execute',
    prefer: DEFAULT_PREFER,
    open: async (c) => channel(await c.d.orch.toolbox.interpreter.run(c.principal, c.sandboxId)),
  },
  {
    pattern: 'process/session/entrypoint/logs',
    prefer: DEFAULT_PREFER,
    open: (c) => followLogs(c, 'entrypoint'),
  },
  {
    pattern: 'process/session/:sessionId/command/:commandId/logs',
    prefer: DEFAULT_PREFER,
    open: (c) => followLogs(c, c.params.sessionId!, c.params.commandId!),
  },
];

/** Finds the route for a path below /toolbox/{sandboxId}/ (segments already split). */
export function matchWsRoute(segments: string[]): { route: WsRoute; params: Record<string, string> } | null {
  for (const route of WS_ROUTES) {
    const parts = route.pattern.split('/');
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const p = parts[i]!;
      if (p.startsWith(':')) params[p.slice(1)] = segments[i]!;
      else ok = p === segments[i];
    }
    if (ok) return { route, params };
  }
  return null;
}
