// Connections from the preview proxy to sandbox ports: an http.Agent whose
// sockets are tunnels through the daemon link (orch.toolbox.tunnel), so
// keep-alive pools them per (sandbox, port) and a request on a warm
// connection costs no tunnel set-up. A tunnel counts as sandbox activity
// until its socket closes; idle pooled ones close after FREE_SOCKET_MS.
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Orchestrator, Principal } from '../../orchestrator/index.js';

/** Idle pooled tunnels close after this, before typical app keep-alive timeouts (Node's is 5 s). */
const FREE_SOCKET_MS = 4_000;

/**
 * The HTTP client treats its connection as a net.Socket (keep-alive, Nagle,
 * ref/unref); a tunnel is a plain duplex stream, where those have no meaning.
 */
function socketLike(s: Duplex): Duplex {
  const x = s as Duplex & Record<string, unknown>;
  const noop = function (this: Duplex) {
    return this;
  };
  for (const m of ['setKeepAlive', 'setNoDelay', 'ref', 'unref']) if (typeof x[m] !== 'function') x[m] = noop;
  if (typeof x.setTimeout !== 'function') x.setTimeout = noop;
  // The HTTP client writes its head as a string; corked string chunks written to an HTTP/2 stream arrived
  // corrupted on a reused tunnel here (the first bytes of the head overwritten, seen as a 400 from the app).
  // Handing the stream Buffers only avoids that path.
  const write = s.write;
  x.write = function (this: Duplex, chunk: unknown, encoding?: unknown, cb?: unknown) {
    if (typeof chunk === 'string') {
      chunk = Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      if (typeof encoding === 'string') encoding = undefined;
    }
    return (write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
  };
  return s;
}

export interface TunnelPool {
  /** The agent for proxy requests to `target` = { host: sandboxId, port }. */
  agent: http.Agent;
  /** Who opens the tunnels of this sandbox (any principal admitted to it will do). */
  admit(sandboxId: string, p: Principal): void;
  /** Open tunnels right now (pooled and in use). */
  open(): number;
  /** Tunnels opened since the start (a warm pool keeps this low). */
  opened(): number;
  close(): void;
}

export function tunnelPool(orch: Orchestrator): TunnelPool {
  const principals = new Map<string, Principal>();
  const live = new Set<Duplex>();
  let opened = 0;
  class TunnelAgent extends http.Agent {
    override createConnection(
      options: http.ClientRequestArgs,
      callback: (err: Error | null, s?: Duplex) => void,
    ): undefined {
      const sandboxId = String(options.host);
      const port = Number(options.port);
      const p = principals.get(sandboxId);
      if (!p) {
        callback(new Error(`no admitted caller for sandbox ${sandboxId}`));
        return undefined;
      }
      orch.toolbox.tunnel.open(p, sandboxId, { port }).then(
        ({ value, end }) => {
          live.add(value);
          opened++;
          value.once('close', () => {
            live.delete(value);
            end();
          });
          // The app closed an idle keep-alive connection: a pooled tunnel whose app side ended can carry no
          // further request (a tunnel is a half-closable stream, which the agent would otherwise keep).
          value.once('end', () => {
            if (Object.values(agent.freeSockets).some((l) => l?.includes(value as never))) value.destroy();
          });
          callback(null, socketLike(value));
        },
        (e: Error) => callback(e),
      );
      return undefined;
    }
  }
  // One pool for every sandbox: the agent keys its free sockets by host (the sandbox id) and port.
  const agent = new TunnelAgent({ keepAlive: true, timeout: FREE_SOCKET_MS, maxFreeSockets: 64, scheduling: 'lifo' });
  return {
    agent,
    admit(sandboxId, p) {
      if (principals.size > 10_000) principals.clear();
      principals.set(sandboxId, p);
    },
    open: () => live.size,
    opened: () => opened,
    close() {
      agent.destroy();
      for (const s of live) s.destroy();
    },
  };
}
