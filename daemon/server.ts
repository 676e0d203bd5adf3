// The daemon serves HTTP/2 on a connection it dials out to the runner's
// socket (the runner owns the socket; the sandbox cannot swap it). It proves
// itself with the per-sandbox secret, then the runner drives requests.
import http2 from 'node:http2';
import net from 'node:net';
import { helloLine } from '../common/wire/daemon.js';
import { Router } from './router.js';

export interface DialOptions {
  socketPath: string;
  sandboxId: string;
  secret: string;
  router: Router;
  onState?: (state: 'connected' | 'disconnected') => void;
}

/** Connects, serves until the connection drops, reconnects with backoff. Never gives up. */
export function serveOverDialOut(opts: DialOptions): { stop(): void } {
  // Wide windows for what the runner sends (uploads, stdin). Only this direction may be
  // wide: the runner keeps HTTP/2's 64 KiB default for what we send (runner/daemon-link.ts,
  // REVIEW 40).
  const server = http2.createServer({
    settings: { initialWindowSize: 4 << 20, maxConcurrentStreams: 1000 },
  });
  server.on('request', (req, res) => void opts.router.dispatch(req, res));
  server.on('session', (session) => {
    session.setLocalWindowSize(32 << 20);
    session.on('error', () => {});
  });
  let stopped = false;
  let delay = 25;
  let current: net.Socket | null = null;

  const connect = () => {
    if (stopped) return;
    const sock = net.connect(opts.socketPath);
    current = sock;
    sock.setNoDelay(true);
    sock.once('connect', () => {
      delay = 25;
      sock.write(helloLine(opts.sandboxId, opts.secret));
      server.emit('connection', sock);
      opts.onState?.('connected');
    });
    sock.on('error', () => {});
    sock.once('close', () => {
      if (current === sock) current = null;
      opts.onState?.('disconnected');
      if (stopped) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 1000);
    });
  };
  connect();
  return {
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
