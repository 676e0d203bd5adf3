// Serves a session's SSE stream from the event log: a resumed stream (GET with
// Last-Event-ID) replays what the client missed and then follows new events
// until the stream's responses are all delivered; the standalone GET stream
// follows server-initiated messages for as long as the client stays. Because
// it reads the shared log, any replica can serve any stream.
import type { ServerResponse } from 'node:http';
import type { EventLog } from '../../orchestrator/index.js';
import { rpcError } from './respond.js';
import { STANDALONE, eventId, logKey, parseEventId, type StoredEvent } from './event-store.js';

const KEEPALIVE_MS = 15_000;

const isResponse = (m: StoredEvent['m']) => 'id' in m && ('result' in m || 'error' in m);

export interface StreamOptions {
  log: EventLog;
  sessionId: string;
  lastEventId?: string;
  /** Called on every keep-alive while the stream is open (keeps the session alive). */
  onKeepAlive?: () => void;
  /** Resolves when the session ends (the stream then ends too). */
  closed: Promise<void>;
}

export async function serveStream(res: ServerResponse, o: StreamOptions): Promise<void> {
  const parsed = o.lastEventId ? parseEventId(o.lastEventId) : undefined;
  if (o.lastEventId && !parsed)
    return rpcError(
      res,
      400,
      -32000,
      `Last-Event-ID ${JSON.stringify(o.lastEventId)} is not an event id of this server`,
    );
  const streamId = parsed?.streamId ?? STANDALONE;
  const key = logKey(o.sessionId, streamId);
  const standalone = streamId === STANDALONE;

  let wake: () => void = () => {};
  let woken = false;
  const unwatch = o.log.watch(key, () => {
    woken = true;
    wake();
  });
  let cursor = parsed?.entry ?? (await o.log.last(key));
  let done = false;
  const finish = () => {
    done = true;
    wake();
  };
  res.once('close', finish);
  void o.closed.then(finish);

  // A POST stream ends once all its responses are out; count those sent before the cursor too.
  let expected = 1;
  let responses = 0;
  if (!standalone) {
    const earlier = await o.log.range(key);
    if (!earlier.length) {
      unwatch();
      res.off('close', finish);
      rpcError(res, 404, -32001, `stream ${streamId} is unknown or expired`);
      return;
    }
    for (const e of earlier) {
      const ev = JSON.parse(e.data) as StoredEvent;
      if (ev.n) expected = ev.n;
      if (isResponse(ev.m)) responses++;
      if (e.id === cursor) break;
    }
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'mcp-session-id': o.sessionId,
  });
  res.flushHeaders();
  const keepAlive = setInterval(() => {
    res.write(': keepalive\n\n');
    o.onKeepAlive?.();
  }, KEEPALIVE_MS);

  try {
    while (!done) {
      woken = false;
      const events = await o.log.range(key, cursor);
      for (const e of events) {
        cursor = e.id;
        const ev = JSON.parse(e.data) as StoredEvent;
        if (ev.n) expected = ev.n;
        // Priming events (empty) only mark a position; the client already has an id.
        if (!Object.keys(ev.m).length) continue;
        res.write(`event: message\nid: ${eventId(streamId, e.id)}\ndata: ${JSON.stringify(ev.m)}\n\n`);
        if (isResponse(ev.m)) responses++;
      }
      if (!standalone && responses >= expected) break;
      if (!woken && !done) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearInterval(keepAlive);
    unwatch();
    res.off('close', finish);
    res.end();
  }
}
