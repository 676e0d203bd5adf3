// Relays between a client WebSocket and what the orchestrator opened: a
// message channel (PTY, interpreter) or a byte stream (session log follow).
// Slow clients pause the sandbox side; idle peers are detected with pings.
import type { Readable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { clampReason } from '../../common/wire/frames.js';
import type { MessageChannel } from '../../orchestrator/index.js';

/** Pause the sandbox side while this much is queued for the client. */
const HIGH_WATER = 1 << 20;
const PING_EVERY_MS = 30_000;

/** Codes a server may put in a close frame (RFC 6455 §7.4, plus the 3000–4999 private range). */
export function sendableCloseCode(code: number): number {
  if (
    code === 1000 ||
    (code >= 1001 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  )
    return code;
  return 1011;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Terminates a peer that stops answering pings (and keeps proxies from idling us out). While we
 * hold its socket paused ourselves (its stdin waits for the command) its pong cannot be read, so
 * that round does not count against it. Real time, not the injected clock: a pong takes real time
 * to come back, whatever a test's clock says.
 */
export function keepAlive(ws: WebSocket, everyMs = PING_EVERY_MS): () => void {
  let alive = true;
  let held = false;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    // Held at the last ping or now: its pong may still wait unread behind our pause.
    if (!alive && !held && !ws.isPaused) {
      ws.terminate();
      return;
    }
    held = ws.isPaused;
    alive = false;
    ws.ping();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Sends with flow control: `pause` when the client falls behind, `resume` once it caught up. */
function pacedSender(
  ws: WebSocket,
  pause: () => void,
  resume: () => void,
): (data: string | Buffer, binary: boolean) => void {
  let paused = false;
  return (data, binary) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(data, { binary }, () => {
      if (paused && ws.bufferedAmount < HIGH_WATER / 4) {
        paused = false;
        resume();
      }
    });
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      pause();
    }
  };
}

export function relayChannel(ws: WebSocket, channel: MessageChannel, end: () => void): void {
  const stopPings = keepAlive(ws);
  const send = pacedSender(
    ws,
    () => channel.pause(),
    () => channel.resume(),
  );
  channel.onMessage((data) => send(data, typeof data !== 'string'));
  channel.onClose((code, reason) => {
    if (ws.readyState === WebSocket.OPEN) ws.close(sendableCloseCode(code), clampReason(reason));
  });
  ws.on('message', (data, isBinary) => {
    const buf = toBuffer(data);
    if (!isBinary) return channel.sendText(buf.toString('utf8'));
    // A client writing faster than the sandbox reads (stdin) waits instead of filling our memory.
    if (!channel.sendBinary(buf)) {
      ws.pause();
      channel.onDrain(() => ws.resume());
    }
  });
  ws.on('error', () => {});
  ws.once('close', () => {
    stopPings();
    channel.end();
    end();
  });
}

export function relayReadable(ws: WebSocket, stream: Readable, end: () => void): void {
  const stopPings = keepAlive(ws);
  const send = pacedSender(
    ws,
    () => stream.pause(),
    () => stream.resume(),
  );
  stream.on('data', (chunk: Buffer | string) => send(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), true));
  stream.once('end', () => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  });
  stream.once('error', (e) => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1011, clampReason(e.message));
  });
  // Nothing is expected from the client (§6.4); `ws` answers pings itself.
  ws.on('error', () => {});
  ws.once('close', () => {
    stopPings();
    stream.destroy();
    end();
  });
}
