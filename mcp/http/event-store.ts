// The SDK's EventStore over the orchestrator's event log: every message sent
// on a session's SSE streams is kept (for the idle timeout) so a client can
// resume a dropped stream with Last-Event-ID — on any replica when the log is
// in Redis. Event ids are `<stream id>:<log entry id>`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { EventLog } from '../../orchestrator/index.js';

/** The standalone (GET) stream's id in the SDK's transport. */
export const STANDALONE = '_GET_stream';

/** Carries the number of requests of the POST being handled, so a stream's first event records how many responses end it. */
export type PostRequests = AsyncLocalStorage<number>;
export const newPostRequests = (): PostRequests => new AsyncLocalStorage<number>();

export interface StoredEvent {
  m: JSONRPCMessage | Record<string, never>;
  /** On a stream's first event: how many responses complete it. */
  n?: number;
}

export const logKey = (sessionId: string, streamId: string) => `mcp:${sessionId}:${streamId}`;
export const eventId = (streamId: string, entry: string) => `${streamId}:${entry}`;

export function parseEventId(id: string): { streamId: string; entry: string } | undefined {
  const i = id.lastIndexOf(':');
  if (i <= 0 || i === id.length - 1) return undefined;
  return { streamId: id.slice(0, i), entry: id.slice(i + 1) };
}

export class SessionEventStore implements EventStore {
  private readonly seen = new Set<string>();

  constructor(
    private readonly log: EventLog,
    private readonly sessionId: string,
    private readonly ttlMs: number,
    private readonly postRequests: PostRequests,
  ) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const ev: StoredEvent = { m: message };
    if (!this.seen.has(streamId)) {
      this.seen.add(streamId);
      if (streamId !== STANDALONE) ev.n = this.postRequests.getStore() ?? 1;
    }
    return eventId(streamId, await this.log.append(logKey(this.sessionId, streamId), JSON.stringify(ev), this.ttlMs));
  }

  async getStreamIdForEventId(id: string): Promise<string | undefined> {
    return parseEventId(id)?.streamId;
  }

  // GET resumption is served by mcp/http/sse.ts (it also follows events that
  // arrive later, from any replica); this satisfies the interface.
  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const parsed = parseEventId(lastEventId);
    if (!parsed) throw new Error('invalid event id');
    for (const e of await this.log.range(logKey(this.sessionId, parsed.streamId), parsed.entry)) {
      const ev = JSON.parse(e.data) as StoredEvent;
      if (Object.keys(ev.m).length) await send(eventId(parsed.streamId, e.id), ev.m as JSONRPCMessage);
    }
    return parsed.streamId;
  }
}
