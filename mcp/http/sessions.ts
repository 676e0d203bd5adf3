// MCP sessions over Streamable HTTP. Each session is an SDK transport plus an
// MCP server, bound to the API key that opened it. Its record lives in the
// relay's session registry (Redis with REDIS_URL), so another replica can
// rebuild it on demand by replaying the initialize handshake; closes and
// cancellations are signalled to every replica. Idle sessions expire.
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type InitializeRequest,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { Clock, Timer } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import type { Orchestrator, Principal, SessionRecord } from '../../orchestrator/index.js';
import { ToolListing, createSessionServer, type SessionServer } from '../server.js';
import { toolsFor } from '../tools/index.js';
import type { ToolGroup } from '../tool.js';
import { conformanceFixtures } from '../fixtures/conformance.js';
import { SessionEventStore, newPostRequests } from './event-store.js';

export interface McpDeps {
  orch: Orchestrator;
  config: Config;
  clock: Clock;
  log: Logger;
  /** Serve the conformance suite's fixture tools/resources/prompts instead of Berth's (tests only). */
  fixtures?: boolean;
}

interface SessionState {
  init: InitializeRequest['params'];
  groups: ToolGroup[];
}

export class LocalSession {
  lastSeen: number;
  readonly inflight = new Set<RequestId>();
  standaloneOpen = false;
  private resolveClosed!: () => void;
  readonly closed = new Promise<void>((r) => (this.resolveClosed = r));

  constructor(
    readonly id: string,
    readonly record: SessionRecord,
    public principal: Principal,
    readonly transport: WebStandardStreamableHTTPServerTransport,
    readonly server: SessionServer,
    now: number,
  ) {
    this.lastSeen = now;
  }

  get busy(): boolean {
    return this.inflight.size > 0 || this.standaloneOpen;
  }

  async close(): Promise<void> {
    this.server.subscriptions.closeAll();
    this.resolveClosed();
    await this.transport.close().catch(() => {});
  }
}

const CANCEL = 'mcp.cancel';
const CLOSED = 'mcp.closed';

export class SessionManager {
  private readonly local = new Map<string, LocalSession>();
  private readonly building = new Map<string, Promise<LocalSession | undefined>>();
  private readonly replica = randomUUID();
  private readonly offs: (() => void)[] = [];
  private readonly sweeper: Timer;
  private readonly listing = new ToolListing();
  /** Set around each POST's handling (see SessionEventStore). */
  readonly postRequests = newPostRequests();
  readonly idleMs: number;

  constructor(private readonly d: McpDeps) {
    this.idleMs = d.config.mcpSessionIdleMinutes * 60_000;
    const relay = d.orch.relay;
    this.offs.push(
      relay.subscribe(CLOSED, (p) => void this.closeLocal((p as { sessionId: string }).sessionId)),
      relay.subscribe(CANCEL, (p) => {
        const { sessionId, origin, params } = p as { sessionId: string; origin: string; params: unknown };
        if (origin === this.replica) return;
        this.local
          .get(sessionId)
          ?.transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params } as JSONRPCMessage);
      }),
    );
    this.sweeper = d.clock
      .setInterval(() => void this.sweep(), Math.min(30_000, Math.max(1000, this.idleMs / 4)))
      .unref();
  }

  private now(): number {
    return this.d.clock.now().getTime();
  }

  /** Starts a new session for an initialize request. */
  async create(p: Principal, init: InitializeRequest['params'], groups: ToolGroup[]): Promise<LocalSession> {
    const id = randomUUID();
    const state: SessionState = { init, groups };
    const record: SessionRecord = {
      id,
      organizationId: p.organizationId,
      keyId: p.keyId,
      userId: p.userId,
      state: state as unknown as Record<string, unknown>,
      createdAt: this.now(),
    };
    await this.d.orch.relay.sessions.put(record, this.idleMs);
    const s = await this.build(record, p);
    this.local.set(id, s);
    return s;
  }

  /** The caller's live session with this id (rebuilt here if another replica started it), or undefined. */
  async find(id: string, p: Principal): Promise<LocalSession | undefined> {
    const bound = (r: SessionRecord) => r.organizationId === p.organizationId && r.keyId === p.keyId;
    const s = this.local.get(id);
    if (s) {
      if (!bound(s.record)) return undefined;
      if (!(await this.d.orch.relay.sessions.touch(id, this.idleMs))) {
        await this.closeLocal(id);
        return undefined;
      }
      s.principal = p;
      s.lastSeen = this.now();
      return s;
    }
    let pending = this.building.get(id);
    if (!pending) {
      pending = this.rehydrate(id).finally(() => this.building.delete(id));
      this.building.set(id, pending);
    }
    const r = await pending;
    if (!r || !bound(r.record)) return undefined;
    r.principal = p;
    return r;
  }

  touch(s: LocalSession): void {
    s.lastSeen = this.now();
    void this.d.orch.relay.sessions.touch(s.id, this.idleMs).catch(() => {});
  }

  /** Ends this replica's sessions whose record matches (their key was revoked); other replicas do the same with theirs. */
  async endMatching(match: (r: SessionRecord) => boolean): Promise<void> {
    for (const s of [...this.local.values()]) if (match(s.record)) await this.end(s.id);
  }

  /** Ends a session everywhere (DELETE). */
  async end(id: string): Promise<void> {
    await this.d.orch.relay.sessions.delete(id).catch(() => false);
    await this.closeLocal(id);
    await this.d.orch.relay.publish(CLOSED, { sessionId: id }).catch(() => {});
  }

  /** Tells the replica running a request that the client cancelled it. */
  relayCancel(sessionId: string, params: unknown): void {
    void this.d.orch.relay.publish(CANCEL, { sessionId, origin: this.replica, params }).catch(() => {});
  }

  async close(): Promise<void> {
    this.sweeper.clear();
    for (const off of this.offs) off();
    await Promise.allSettled([...this.local.keys()].map((id) => this.closeLocal(id)));
  }

  private async rehydrate(id: string): Promise<LocalSession | undefined> {
    const record = await this.d.orch.relay.sessions.get(id);
    if (!record) return undefined;
    await this.d.orch.relay.sessions.touch(id, this.idleMs);
    const p: Principal = {
      organizationId: record.organizationId,
      userId: record.userId,
      keyId: record.keyId,
      permissions: [],
      role: 'member',
      systemAdmin: false,
    };
    const s = await this.build(record, p);
    // Replay the handshake so the SDK transport and server are in the state the client expects.
    const state = record.state as unknown as SessionState;
    const headers = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    const url = 'http://localhost/mcp';
    const init = await s.transport.handleRequest(new Request(url, { method: 'POST', headers }), {
      parsedBody: { jsonrpc: '2.0', id: `berth-rehydrate-${randomUUID()}`, method: 'initialize', params: state.init },
    });
    await init.text();
    await s.transport.handleRequest(
      new Request(url, { method: 'POST', headers: { ...headers, 'mcp-session-id': id } }),
      { parsedBody: { jsonrpc: '2.0', method: 'notifications/initialized' } },
    );
    this.local.set(id, s);
    this.d.log.debug('mcp session rebuilt on this replica', { sessionId: id });
    return s;
  }

  private async build(record: SessionRecord, p: Principal): Promise<LocalSession> {
    const state = record.state as unknown as SessionState;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => record.id,
      eventStore: new SessionEventStore(this.d.orch.relay.events, record.id, this.idleMs, this.postRequests),
      // Clients wait this long before resuming a stream the server closed on purpose.
      retryInterval: 1000,
    });
    const holder: { s?: LocalSession } = {};
    const fixtures = this.d.fixtures ? conformanceFixtures() : undefined;
    const server = createSessionServer({
      orch: this.d.orch,
      clock: this.d.clock,
      log: this.d.log.child({ component: 'mcp', sessionId: record.id }),
      tools: fixtures ? [] : toolsFor(state.groups),
      listing: this.listing,
      rawTools: fixtures?.tools,
      extras: fixtures?.register,
      principal: () => holder.s!.principal,
    });
    transport.onerror = (e) => this.d.log.debug('mcp transport', { sessionId: record.id, error: e.message });
    await server.mcp.connect(transport);
    const s = (holder.s = new LocalSession(record.id, record, p, transport, server, this.now()));
    // Track requests in flight, so an idle sweep never ends a session mid-call.
    const onmessage = transport.onmessage;
    transport.onmessage = (m, extra) => {
      if (isJSONRPCRequest(m)) s.inflight.add(m.id);
      onmessage?.(m, extra);
    };
    const send = transport.send.bind(transport);
    transport.send = async (m, opts) => {
      if ((isJSONRPCResultResponse(m) || isJSONRPCErrorResponse(m)) && m.id !== undefined) s.inflight.delete(m.id);
      return send(m, opts);
    };
    return s;
  }

  private async closeLocal(id: string): Promise<void> {
    const s = this.local.get(id);
    if (!s) return;
    this.local.delete(id);
    await s.close();
  }

  private async sweep(): Promise<void> {
    const now = this.now();
    for (const s of [...this.local.values()]) {
      if (s.busy) {
        this.touch(s);
        continue;
      }
      if (now - s.lastSeen < this.idleMs) continue;
      // Another replica may still be serving it: only the shared record decides expiry.
      const alive = await this.d.orch.relay.sessions.get(s.id).catch(() => undefined);
      if (!alive || now - s.lastSeen >= this.idleMs) await this.closeLocal(s.id);
    }
  }
}
