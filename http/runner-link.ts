// The upgrade remote runners dial (GET /api/runners/link, common/wire/runner-link.ts):
// authenticated by the runner's token, answered `101` and handed to the
// orchestrator, which speaks HTTP/2 to the runner over the socket. The `101`
// names this replica (x-berth-replica), since the runner may have dialed a
// load balancer and keeps one link per replica. Every refusal is a plain HTTP
// error in the API's error shape (401 bad token, 409 another `berth runner`
// process with the same token), so `berth runner` can tell the admin why.
import type http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../common/errors.js';
import {
  REPLICA_HEADER,
  RUNNER_INSTANCE_HEADER,
  RUNNER_LINK_PATH,
  RUNNER_LINK_PROTOCOL,
} from '../common/wire/runner-link.js';
import type { HttpDeps } from './context.js';
import { clientAddress, trustedProxies } from './client-address.js';
import { rejectUpgrade } from './ws/reject.js';

export interface RunnerLinkEdge {
  /** Stops admitting runners, closes every runner link of this replica and takes it off the replica list. */
  close(): Promise<void>;
}

export function attachRunnerLinks(server: http.Server, d: HttpDeps): RunnerLinkEdge {
  const trusted = trustedProxies(d.config.trustedProxies);
  const handle = async (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const where = { path: RUNNER_LINK_PATH, method: req.method ?? 'GET' };
    const fail = (e: unknown) => rejectUpgrade(socket, e, where, d.clock.now());
    socket.on('error', () => {});
    if (req.method !== 'GET' || (req.headers.upgrade ?? '').toLowerCase() !== RUNNER_LINK_PROTOCOL)
      return fail(
        new AppError('invalid_argument', `${RUNNER_LINK_PATH} takes \`Upgrade: ${RUNNER_LINK_PROTOCOL}\``, {
          hint: 'this is the link `berth runner` dials; start it with BERTH_API_URL and BERTH_RUNNER_TOKEN',
        }),
      );
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const link = await d.orch.admitRunnerLink(token, { ip: clientAddress(req, trusted), frontend: 'runner' });
    const instance = req.headers[RUNNER_INSTANCE_HEADER];
    await link.claim(typeof instance === 'string' ? instance : undefined);
    if (socket.destroyed) return link.cancel();
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${RUNNER_LINK_PROTOCOL}\r\n` +
        `${REPLICA_HEADER}: ${link.replicaId}\r\n\r\n`,
    );
    (socket as net.Socket).setKeepAlive?.(true, 10_000);
    link.accept(socket, head);
  };
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== RUNNER_LINK_PATH) return;
    void handle(req, socket, head).catch((e) =>
      rejectUpgrade(socket, e, { path: RUNNER_LINK_PATH, method: req.method ?? 'GET' }, d.clock.now(), (err) =>
        d.log.error('runner link upgrade failed', { error: (err as Error)?.stack ?? String(err) }),
      ),
    );
  };
  server.on('upgrade', onUpgrade);
  d.orch.runnerLinks.open();
  return {
    async close() {
      server.off('upgrade', onUpgrade);
      await d.orch.runnerLinks.close();
    },
  };
}
