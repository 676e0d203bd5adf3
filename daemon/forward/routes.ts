// The daemon's end of a TCP tunnel: POST /forward/tcp?port=N[&host=H] connects
// from inside the sandbox, answers 200 once connected, then relays the
// request body to the socket and the socket to the response body. Either
// side closing (or half-closing) is passed on; flow control is HTTP/2's and
// TCP's own, so neither side is ever buffered whole.
import net from 'node:net';
import http2 from 'node:http2';
import { AppError } from '../../common/errors.js';
import { FORWARD_PATH, isTcpPort, TUNNEL_HOST_RE } from '../../common/wire/forward.js';
import type { DaemonContext } from '../context.js';
import { sendError, type Router } from '../router.js';

const CONNECT_TIMEOUT_MS = 10_000;

export function registerForward(router: Router, ctx: DaemonContext): void {
  router.on('POST', FORWARD_PATH, ({ req, res, query }) => {
    const port = Number(query.get('port'));
    const host = query.get('host') || '127.0.0.1';
    if (!isTcpPort(port))
      throw new AppError('invalid_argument', `port ${query.get('port')} is not a TCP port`, { hint: 'use 1-65535' });
    if (!TUNNEL_HOST_RE.test(host))
      throw new AppError('invalid_argument', `host ${JSON.stringify(host)} is not a host name or address`);
    const where = host === '127.0.0.1' || host === 'localhost' ? `port ${port}` : `${host}:${port}`;
    const stream = req.stream;
    const sock = net.connect({ port, host: host.replace(/^\[|\]$/g, ''), allowHalfOpen: true });
    let connected = false;
    const timer = setTimeout(() => {
      sock.destroy();
      sendError(
        res,
        new AppError(
          'bad_gateway',
          `could not connect to ${where} in sandbox ${ctx.sandboxId} within ${CONNECT_TIMEOUT_MS / 1000} s`,
          { reason: 'PORT_UNREACHABLE', hint: 'check that the app listens there' },
        ),
      );
    }, CONNECT_TIMEOUT_MS);
    sock.once('connect', () => {
      clearTimeout(timer);
      connected = true;
      sock.setNoDelay(true);
      if (stream.destroyed) return void sock.destroy();
      stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
      stream.pipe(sock);
      sock.pipe(stream);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (connected) return; // 'close' below resets the stream
      const refused = e.code === 'ECONNREFUSED';
      sendError(
        res,
        new AppError(
          'bad_gateway',
          refused
            ? `nothing is listening on ${where} in sandbox ${ctx.sandboxId}`
            : `cannot connect to ${where} in sandbox ${ctx.sandboxId}: ${e.code ?? e.message}`,
          {
            reason: refused ? 'PORT_CLOSED' : 'PORT_UNREACHABLE',
            hint: refused
              ? 'start the app (bound to 0.0.0.0 or 127.0.0.1) and try again'
              : 'check the host name and that the sandbox may reach it',
          },
        ),
      );
    });
    sock.once('close', (hadError) => {
      // An abrupt close of the app's side resets the tunnel rather than ending it cleanly.
      if (hadError && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
    });
    // The runner let go (client gone): drop the connection to the app.
    stream.once('close', () => {
      clearTimeout(timer);
      if (!sock.destroyed && (stream.rstCode ?? 0) !== 0) sock.destroy();
      else if (!sock.destroyed && !connected) sock.destroy();
    });
    stream.on('error', () => sock.destroy());
  });
}
