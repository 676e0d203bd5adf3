// Local forwarding (`ssh -L 8080:localhost:3000`, and `-D` SOCKS): each
// direct-tcpip channel becomes a TCP connection made from inside the sandbox
// through the same daemon tunnel previews use, so the host is resolved there
// and the sandbox's egress policy applies. Remote forwarding (-R) is refused
// in connection.ts.
import type { AcceptConnection, RejectConnection, ServerChannel, TcpipRequestInfo } from 'ssh2';
import { AppError } from '../../common/errors.js';
import type { Connection } from './connection.js';

/** Names the sandbox's own loopback: the tunnel's default host. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

export async function openForward(
  conn: Connection,
  accept: AcceptConnection<ServerChannel>,
  reject: RejectConnection,
  info: TcpipRequestInfo,
): Promise<void> {
  await conn.ready;
  const login = conn.login;
  if (!login || conn.refusal) return reject();
  let tunnel;
  try {
    tunnel = await conn.d.orch.toolbox.tunnel.open(login.principal, login.sandbox.id, {
      port: info.destPort,
      host: LOOPBACK.has(info.destIP) ? undefined : info.destIP,
    });
  } catch (e) {
    conn.log.info('ssh forward refused', {
      port: info.destPort,
      error: e instanceof AppError ? e.message : String(e),
      connection: conn.source.connectionId,
    });
    return reject();
  }
  const sock = tunnel.value;
  const ch = accept();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    sock.destroy();
    if (ch.writable) ch.end();
    tunnel.end();
  };
  await new Promise<void>((resolve) => {
    ch.pipe(sock);
    sock.pipe(ch);
    sock.once('close', () => {
      finish();
      resolve();
    });
    sock.on('error', () => finish());
    ch.once('close', () => {
      finish();
      resolve();
    });
  });
}
