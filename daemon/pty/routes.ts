// Daemon routes for terminals (compat spec §4.6). The connect routes answer
// with a framed stream the runner relays to the client's WebSocket.
import { PTY_CREATE_HEADER, PtyCreateRequest, PtyResizeRequest } from '../../common/wire/pty.js';
import type { DaemonContext } from '../context.js';
import { FramedStream } from '../framed-stream.js';
import { readJson, sendJson, type Call, type Router } from '../router.js';
import { PtyManager } from './manager.js';
import { headerRequest } from '../header-request.js';

const createRequestFromHeader = (call: Call): PtyCreateRequest =>
  headerRequest(call, PTY_CREATE_HEADER, PtyCreateRequest, 'PTY create');

export function registerPty(router: Router, ctx: DaemonContext): void {
  const ptys = new PtyManager(ctx);
  const exitControl = (call: Call) => call.query.get('exitControl') === '1';

  router.on('GET', '/process/pty', ({ res }) => sendJson(res, 200, { sessions: ptys.list() }));

  router.on('POST', '/process/pty', async ({ req, res }) => {
    const body = await readJson(req, PtyCreateRequest);
    const s = ptys.create(body);
    sendJson(res, 201, { sessionId: s.id });
  });

  // Before `/process/pty/:id` so the literal segment wins.
  router.on('POST', '/process/pty/create-connect', (call) => {
    const s = ptys.create(createRequestFromHeader(call));
    s.attach({ stream: new FramedStream(call.req, call.res), exitControl: exitControl(call) });
  });

  router.on('GET', '/process/pty/:id', ({ res, params }) => sendJson(res, 200, ptys.get(params.id!).info()));

  router.on('POST', '/process/pty/:id/connect', (call) => {
    let session;
    try {
      session = ptys.get(call.params.id!);
      ptys.startOrThrow(session);
    } catch (e) {
      // §6.5: an unknown session is reported on the socket, then it closes.
      const stream = new FramedStream(call.req, call.res);
      const error = (e as Error).message;
      stream.sendJson({ type: 'control', status: 'error', error });
      stream.close(1008, JSON.stringify({ error }));
      return;
    }
    session.attach({ stream: new FramedStream(call.req, call.res), exitControl: exitControl(call) });
  });

  router.on('POST', '/process/pty/:id/resize', async ({ req, res, params }) => {
    const body = await readJson(req, PtyResizeRequest);
    const s = ptys.get(params.id!);
    s.resize(body.cols, body.rows);
    sendJson(res, 200, s.info());
  });

  router.on('DELETE', '/process/pty/:id', async ({ res, params }) => {
    await ptys.kill(params.id!);
    sendJson(res, 200, {});
  });
}
