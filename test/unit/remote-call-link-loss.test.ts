// A runner call whose link ends before the answer (the `berth runner` killed
// mid-call): RemoteRunnerClient must fail it as `unavailable` (the reconciler
// retries those when the runner links again), not leave it waiting for ever.
// A stand-in runner on real HTTP/2 takes the call and drops the connection.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { AppError } from '../../common/errors.js';
import { RemoteRunnerClient } from '../../runner/remote/client.js';

const server = http2.createServer();
const sockets = new Set<Socket>();
server.on('connection', (s: Socket) => sockets.add(s));
after(() => new Promise((r) => server.close(r)));

it('fails a call as unavailable when the link closes before the runner answers', async () => {
  let taken!: () => void;
  const callArrived = new Promise<void>((r) => (taken = r));
  server.on('stream', () => taken()); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  session.on('error', () => {});
  const client = new RemoteRunnerClient('r1', () => session);

  const call = client.ensureArchived('sandbox-1');
  await callArrived;
  for (const s of sockets) s.destroy(); // the runner's process is gone: its socket closes
  let timer: NodeJS.Timeout | undefined;
  const waits = new Promise((_, no) => (timer = setTimeout(() => no(new Error('the call still waits')), 5000)));
  await assert.rejects(Promise.race([call, waits]), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
  clearTimeout(timer);
  session.destroy();
});
