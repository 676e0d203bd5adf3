// Socket.IO notifications at {apiPath}/socket.io/ (compat spec §1.4, §6.1).
// The Daytona SDK connects on construction (websocket transport only),
// authenticates with `auth.token` (an API key), and resolves state waits on
// `sandbox.state.updated` / `sandbox.created`; it ignores events it does not
// know, such as Berth's `sandbox.progress` (`{sandboxId, organizationId, line}`:
// an image being sent to the sandbox's runner). Each socket joins its
// organization's room; events come from the orchestrator bus, which every
// replica receives (Redis when REDIS_URL is set), so a replica emits to the
// sockets connected to it and clients see every change wherever it happened.
import type http from 'node:http';
import { Server } from 'socket.io';
import { randomUUID } from 'node:crypto';
import {
  revokedMatches,
  SANDBOX_EVENTS,
  type Principal,
  type Sandbox,
  type SandboxEvent,
  type SandboxProgressEvent,
} from '../orchestrator/index.js';
import type { HttpDeps } from './context.js';
import { sandboxDto } from './dto.js';
import { checkCookieUpgrade, sessionToken } from './session.js';
import { clientAddress, trustedProxies } from './client-address.js';

export interface Notifications {
  /** Number of connected sockets (for health and tests). */
  connections(): number;
  /** Disconnects every socket and stops listening to the bus; leaves the HTTP server alone. */
  close(): Promise<void>;
}

const room = (organizationId: string) => `org:${organizationId}`;

/** Events crossing Redis arrive as JSON: turn the dates back into Dates. */
function revive(s: Sandbox): Sandbox {
  const d = (v: unknown) => (v instanceof Date ? v : new Date(v as string));
  return {
    ...s,
    createdAt: d(s.createdAt),
    updatedAt: d(s.updatedAt),
    stateUpdatedAt: d(s.stateUpdatedAt),
    lastActivityAt: d(s.lastActivityAt),
    volumes: s.volumes ?? [],
  };
}

export function attachNotifications(server: http.Server, d: HttpDeps, apiPath = '/api'): Notifications {
  const io = new Server(server, {
    path: `${apiPath}/socket.io/`,
    transports: ['websocket'],
    serveClient: false,
    // Other WebSocket endpoints (toolbox PTY, logs, interpreter) share this server.
    destroyUpgrade: false,
    // A client gets 5 s to connect; auth is one key lookup.
    connectTimeout: 10_000,
  });

  const trusted = trustedProxies(d.config.trustedProxies);
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    // The SDK names the organization in the query (organizationId=…); default: the key's own.
    const org = socket.handshake.query.organizationId;
    const source = {
      ip: clientAddress(socket.request, trusted),
      frontend: 'socketio',
      requestId: randomUUID(),
      organizationId: typeof org === 'string' && org ? org : undefined,
    };
    // The web UI connects with its session cookie instead, from a page of this server only.
    const session = typeof token === 'string' ? undefined : sessionToken(socket.handshake.headers.cookie);
    const authenticated = async () => {
      if (!session) return d.orch.authenticate(typeof token === 'string' ? token : undefined, source);
      checkCookieUpgrade(socket.handshake.headers, d.config);
      return d.orch.authenticateSession(session, { ...source, frontend: 'webui' });
    };
    authenticated()
      .then((p: Principal) => {
        socket.data.principal = p;
        socket.data.organizationId = p.organizationId;
        next();
      })
      .catch((e: Error & { code?: string; hint?: string }) =>
        next(
          Object.assign(new Error(e.message), {
            data: { code: e.code ?? 'unauthorized', hint: e.hint ?? 'pass the API key as auth.token' },
          }),
        ),
      );
  });

  io.on('connection', (socket) => {
    void socket.join(room(socket.data.organizationId as string));
    // A key that expires while connected ends its socket then.
    const p = socket.data.principal as Principal;
    if (p.expiresAt) {
      const t = setTimeout(() => socket.disconnect(true), Math.max(0, p.expiresAt - d.clock.now().getTime()));
      t.unref();
      socket.once('disconnect', () => clearTimeout(t));
    }
  });

  const dto = (s: Sandbox, full = true) => sandboxDto(revive(s), d.config.publicUrl, full);
  const emit = (name: string, ev: SandboxEvent, payload: () => unknown) => {
    if (!ev?.organizationId || !ev.sandbox?.id) return;
    try {
      io.to(room(ev.organizationId)).emit(name, payload());
    } catch (e) {
      d.log.warn('notification not sent', { event: name, error: (e as Error).message });
    }
  };
  const offs = [
    // A revoked key (or a removed member) stops receiving events at once.
    d.orch.onCredentialsRevoked((ev) => {
      for (const socket of io.of('/').sockets.values())
        if (revokedMatches(ev, socket.data.principal as Principal)) socket.disconnect(true);
    }),
    d.orch.subscribe(SANDBOX_EVENTS.created, (raw) =>
      emit('sandbox.created', raw as SandboxEvent, () => dto((raw as SandboxEvent).sandbox)),
    ),
    d.orch.subscribe(SANDBOX_EVENTS.stateUpdated, (raw) => {
      const ev = raw as SandboxEvent;
      emit('sandbox.state.updated', ev, () => ({
        sandbox: dto(ev.sandbox),
        oldState: ev.oldState,
        newState: ev.newState,
      }));
    }),
    d.orch.subscribe(SANDBOX_EVENTS.desiredStateUpdated, (raw) => {
      const ev = raw as SandboxEvent & { oldDesiredState?: string; newDesiredState?: string };
      emit('sandbox.desired-state.updated', ev, () => ({
        sandbox: dto(ev.sandbox),
        oldDesiredState: ev.oldDesiredState,
        newDesiredState: ev.newDesiredState,
      }));
    }),
    d.orch.subscribe(SANDBOX_EVENTS.progress, (raw) => {
      const ev = raw as SandboxProgressEvent;
      if (!ev?.organizationId || !ev.sandboxId || typeof ev.line !== 'string') return;
      io.to(room(ev.organizationId)).emit('sandbox.progress', {
        sandboxId: ev.sandboxId,
        organizationId: ev.organizationId,
        line: ev.line,
      });
    }),
  ];

  return {
    connections: () => io.engine.clientsCount,
    async close() {
      for (const off of offs) off();
      io.disconnectSockets(true);
      // Not io.close(): that would also close the HTTP server, which its owner closes.
      io.engine.close();
    },
  };
}
