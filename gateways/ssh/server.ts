// The SSH gateway's listener: a TCP server whose sockets are handed to ssh2,
// so Berth owns every connection from its first byte. A client must log in
// within BERTH_SSH_LOGIN_TIMEOUT_SECONDS; one address may hold only a few
// connections that have not logged in yet; whatever ssh2 gives up on (bad
// version line, oversize packet) is destroyed shortly after, never left
// half-open. Everything past the handshake is in connection.ts.
import net from 'node:net';
import ssh2 from 'ssh2';
import { AppError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/log.js';
import { BERTH_VERSION } from '../../common/version.js';
import type { Orchestrator } from '../../orchestrator/index.js';
import { Connection } from './connection.js';
import { loadHostKey } from './host-key.js';

export interface SshGatewayDeps {
  orch: Orchestrator;
  config: Config;
  clock: Clock;
  log: Logger;
}

export interface SshServer {
  port(): number;
  /** TCP connections open now, logged in or not. */
  openConnections(): number;
  fingerprint: string;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

/** Connections of one address that have not logged in yet, at most. */
const MAX_PENDING_PER_ADDRESS = 16;
/** How long a socket ssh2 has ended (after a protocol error) may linger before it is destroyed. */
const LINGER_MS = 2000;

export async function startSshGateway(d: SshGatewayDeps, listen: { port: number; host: string }): Promise<SshServer> {
  const hostKey = loadHostKey(d.config.home);
  const log = d.log.child({ component: 'ssh' });
  const sockets = new Set<net.Socket>();
  const connections = new Set<Connection>();
  const pending = new Map<string, number>();
  const byPeer = new Map<string, net.Socket>();

  const ssh = new ssh2.Server({
    hostKeys: [hostKey.privateKey],
    ident: `Berth_${BERTH_VERSION}`,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
  });
  ssh.on('connection', (client, info) => {
    const socket = byPeer.get(`${info.ip}|${info.port}`);
    if (!socket) return void client.end();
    const c = new Connection(d, client, { ip: info.ip, socket }, log, () => loggedIn(socket));
    connections.add(c);
    socket.once('close', () => connections.delete(c));
  });

  const loggedIn = (socket: net.Socket) => {
    const s = socket as net.Socket & { berthTimer?: NodeJS.Timeout; berthPending?: boolean };
    if (s.berthTimer) clearTimeout(s.berthTimer);
    if (s.berthPending) {
      s.berthPending = false;
      const ip = socket.remoteAddress ?? '';
      const n = (pending.get(ip) ?? 1) - 1;
      if (n > 0) pending.set(ip, n);
      else pending.delete(ip);
    }
  };

  const server = net.createServer((socket) => {
    const ip = socket.remoteAddress ?? '';
    const peer = `${ip}|${socket.remotePort}`;
    if ((pending.get(ip) ?? 0) >= MAX_PENDING_PER_ADDRESS) {
      log.warn('ssh: too many connections from one address are logging in; refused', { ip });
      socket.destroy();
      return;
    }
    pending.set(ip, (pending.get(ip) ?? 0) + 1);
    const s = socket as net.Socket & { berthTimer?: NodeJS.Timeout; berthPending?: boolean };
    s.berthPending = true;
    s.berthTimer = setTimeout(() => {
      log.info('ssh: no login within the time allowed; closing', { ip });
      socket.destroy();
    }, d.config.sshLoginTimeoutSeconds * 1000);
    sockets.add(socket);
    byPeer.set(peer, socket);
    socket.setNoDelay(true);
    // ssh2 ends its side on a protocol error; a client that never ends its own must not keep the socket.
    socket.once('finish', () => setTimeout(() => socket.destroy(), LINGER_MS).unref());
    socket.once('close', () => {
      loggedIn(socket);
      sockets.delete(socket);
      byPeer.delete(peer);
    });
    socket.on('error', () => {});
    ssh.injectSocket(socket);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new AppError('unavailable', `SSH port ${listen.port} is already in use`, {
              hint: 'stop what listens there, or set BERTH_SSH_PORT to another port (0 turns SSH off)',
            })
          : new AppError('unavailable', `cannot listen for SSH on ${listen.host}:${listen.port}: ${e.message}`, {
              hint: 'check BERTH_HOST and BERTH_SSH_PORT',
            }),
      );
    });
    server.listen(listen.port, listen.host, () => resolve());
  });
  server.on('error', (e) => log.error('ssh listener failed', { error: e.message }));
  const port = (server.address() as net.AddressInfo).port;
  d.orch.ssh.gateway.announce({ port, hostKeyFingerprint: hostKey.fingerprint, hostKey: hostKey.publicKey });

  let closing: Promise<void> | null = null;
  return {
    port: () => port,
    openConnections: () => sockets.size,
    fingerprint: hostKey.fingerprint,
    close() {
      closing ??= (async () => {
        d.orch.ssh.gateway.announce(null);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of connections) c.close('the server is shutting down');
        for (const s of sockets) setTimeout(() => s.destroy(), 200).unref();
        await stopped;
      })();
      return closing;
    },
  };
}
