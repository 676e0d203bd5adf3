// The runner's set of links (runner/link/replicas.ts) against stand-in API
// replicas on real HTTP: each answers the upgrade as a replica id and posts
// its replica list over HTTP/2, as the API does. What the runner does: links
// to every listed replica, drops a replica no list names, and closes at once
// a link through its entry point that lands on a replica it already has,
// backing off instead of dialing in a loop.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { systemClock } from '../../common/clock.js';
import { createLogger } from '../../common/log.js';
import { REPLICA_HEADER, REPLICAS_PATH, RUNNER_INSTANCE_HEADER } from '../../common/wire/runner-link.js';
import { ReplicaLinks } from '../../runner/link/replicas.js';

interface Stand {
  url: string;
  /** Upgrades answered, and the links still open. */
  dials: number;
  sessions: Set<http2.ClientHttp2Session>;
  instances: string[];
  /** Which replica it answers as, per dial. */
  as: () => string;
  /** What it posts as the replica list. */
  list: () => { id: string; url: string }[];
  post(): Promise<void>;
  server: http.Server;
}

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.closeAllConnections();
  return Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function stand(): Promise<Stand> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  servers.push(server);
  const st: Stand = {
    url: '',
    dials: 0,
    sessions: new Set(),
    instances: [],
    as: () => 'none',
    list: () => [],
    server,
    post: async () => {
      await Promise.all([...st.sessions].map((s) => send(s, st.list())));
    },
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    st.dials++;
    st.instances.push(String(req.headers[RUNNER_INSTANCE_HEADER]));
    socket.on('error', () => {});
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: berth-runner/1\r\n${REPLICA_HEADER}: ${st.as()}\r\n\r\n`,
    );
    const session = http2.connect('http://runner.invalid', { createConnection: () => socket });
    session.on('error', () => {});
    socket.once('end', () => session.destroy());
    session.once('close', () => st.sessions.delete(session));
    session.once('connect', () => {
      st.sessions.add(session);
      void send(session, st.list()).catch(() => {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  st.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return st;
}

function send(session: http2.ClientHttp2Session, replicas: { id: string; url: string }[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': REPLICAS_PATH, 'content-type': 'application/json' });
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('error', reject);
    req.on('close', () => resolve(status));
    req.resume();
    req.end(JSON.stringify({ replicas }));
  });
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('links to every listed replica, drops one no list names, and does not loop on its entry point', async () => {
  const [a, b, lb] = await Promise.all([stand(), stand(), stand()]);
  const both = () => [
    { id: 'A', url: a.url },
    { id: 'B', url: b.url },
  ];
  a.as = () => 'A';
  b.as = () => 'B';
  a.list = b.list = lb.list = both;
  // The entry point is a balancer: its first link reaches A, every later one B.
  let first = true;
  lb.as = () => (first ? ((first = false), 'A') : 'B');
  const links = new ReplicaLinks({
    apiUrl: lb.url,
    token: 'berth_runner_0123456789abcdef',
    clock: systemClock,
    log: createLogger({ level: 'silent' }),
    backoffMs: { min: 50, max: 400 },
    onStream: (stream) => stream.respond({ ':status': 404 }, { endStream: true }),
  });
  const done = links.run();
  try {
    await until('linked to A (through the balancer) and B (at its own URL)', () => links.linked().length === 2);
    assert.deepEqual(links.linked().sort(), ['A', 'B']);
    assert.equal(b.sessions.size, 1);
    assert.equal(a.dials, 0, 'A was reached through the balancer: not dialed again');
    assert.equal(new Set([...lb.instances, ...b.instances]).size, 1, 'one instance id on every dial');

    // The balancer's link ends; the runner dials A at its URL, and the balancer lands on B, which it has.
    for (const s of lb.sessions) s.destroy();
    await until('A linked at its own URL', () => a.sessions.size === 1 && links.linked().length === 2);
    const dials = lb.dials;
    await new Promise((r) => setTimeout(r, 1_500));
    const more = lb.dials - dials;
    assert.ok(more >= 1, 'the entry point is still dialed');
    assert.ok(more <= 8, `backs off instead of looping: ${more} dials in 1.5 s`);
    assert.equal(lb.sessions.size, 0, 'each of those links was closed at once');
    assert.equal(b.sessions.size, 1, 'the kept link to B was not cut');

    // No replica lists B any more: its link is dropped, and B is not dialed again. (The balancer now lands on A,
    // which the runner has: through it, B would be a replica the entry point reached, not one a list named.)
    lb.as = () => 'A';
    a.list = b.list = lb.list = () => [{ id: 'A', url: a.url }];
    await Promise.all([a.post(), b.post()]);
    await until('link to B dropped', () => b.sessions.size === 0 && links.linked().join() === 'A');
    const bDials = b.dials;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(b.dials, bDials);
  } finally {
    links.stop();
    await done;
  }
});
