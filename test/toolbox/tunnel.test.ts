// TCP tunnels into a sandbox through its daemon link (the path previews and
// SSH forwarding take): apps bound to 127.0.0.1, half-close, large transfers
// both ways, a closed port, a sandbox without network, and who may open one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../common/errors.js';
import type { Principal } from '../../orchestrator/index.js';
import { createSandbox } from '../helpers/stack.js';
import { toolboxFixture, type Toolbox } from './fixture.js';

/** Writes `data` (then half-closes), collects everything until the other side ends. */
async function roundTrip(s: Duplex, data: Buffer | string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    s.on('data', (c: Buffer) => chunks.push(c));
    s.once('end', resolve);
    s.once('error', reject);
  });
  s.end(data);
  await done;
  return Buffer.concat(chunks);
}

// A TCP server in the sandbox: "echo" sends back what it got once the client half-closes;
// "sink" answers with the sha256 of what it got; "big" sends N MiB of a pattern and closes.
const SERVER = `
import socket, sys, threading, hashlib
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port)); s.listen(50)
def serve(c):
    if mode == 'big':
        block = bytes(range(256)) * 4096
        for _ in range(int(sys.argv[3])): c.sendall(block)
        c.close(); return
    h, got = hashlib.sha256(), []
    while True:
        b = c.recv(1 << 16)
        if not b: break
        h.update(b)
        if mode == 'echo': got.append(b)
    c.sendall(b''.join(got) if mode == 'echo' else h.hexdigest().encode())
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
`;

describe('toolbox: TCP tunnels into a sandbox', () => {
  let t: Toolbox;
  let admin: Principal;
  const open = (id: string, port: number, p = admin) => t.stack.server.orch.toolbox.tunnel.open(p, id, { port });

  before(async () => {
    t = await toolboxFixture();
    admin = await t.stack.server.orch.authenticate(t.stack.key);
    await t.sh(`cat > /tmp/srv.py <<'PY'\n${SERVER}\nPY`);
    await t.tb('POST', '/process/session', { sessionId: 'servers' });
    for (const [mode, port, extra] of [
      ['echo', 7001, ''],
      ['sink', 7002, ''],
      ['big', 7003, '64'],
    ] as const) {
      await t.tb('POST', '/process/session/servers/exec', {
        command: `python3 /tmp/srv.py ${mode} ${port} ${extra} &`,
        runAsync: true,
      });
    }
    for (let i = 0; i < 100; i++) {
      const ports = (await t.tb('GET', '/port')).body.ports as number[];
      if ([7001, 7002, 7003].every((p) => ports.includes(p))) break;
      await sleep(100);
    }
  });
  after(async () => {
    await t?.close();
  });

  it('reaches an app bound to 127.0.0.1 and passes half-close both ways', async () => {
    const { value: s, end } = await open(t.id, 7001);
    try {
      assert.equal((await roundTrip(s, 'hello through the daemon')).toString(), 'hello through the daemon');
    } finally {
      end();
    }
  });

  it('streams 64 MiB to the sandbox and 64 MiB back, byte for byte', async () => {
    const up = await open(t.id, 7002);
    const block = Buffer.alloc(1 << 20, 7);
    const want = createHash('sha256');
    const got = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      up.value.on('data', (c: Buffer) => chunks.push(c));
      up.value.once('end', () => resolve(Buffer.concat(chunks).toString()));
      up.value.once('error', reject);
    });
    for (let i = 0; i < 64; i++) {
      want.update(block);
      if (!up.value.write(block)) await new Promise((r) => up.value.once('drain', r));
    }
    up.value.end();
    assert.equal(await got, want.digest('hex'));
    up.end();

    const down = await open(t.id, 7003);
    const h = createHash('sha256');
    let n = 0;
    for await (const c of down.value) {
      h.update(c as Buffer);
      n += (c as Buffer).length;
    }
    down.end();
    const pattern = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const expect = createHash('sha256');
    for (let i = 0; i < 64 * 4096; i++) expect.update(pattern);
    assert.equal(n, 64 << 20);
    assert.equal(h.digest('hex'), expect.digest('hex'));
  });

  it('says nothing is listening on a closed port, quickly', async () => {
    const t0 = Date.now();
    await assert.rejects(open(t.id, 9), (e: AppError) => {
      assert.equal(e.code, 'bad_gateway');
      assert.equal(e.reason, 'PORT_CLOSED');
      assert.match(e.message, new RegExp(`nothing is listening on port 9 in sandbox ${t.id}`));
      return true;
    });
    assert.ok(Date.now() - t0 < 2000);
  });

  it('drops the app side when the client goes away', async () => {
    const { value: s, end } = await open(t.id, 7001);
    s.write('partial');
    await sleep(200);
    s.destroy();
    end();
    // The echo server gets EOF (or a reset) and its thread ends: no connection stays established.
    let established = '';
    for (let i = 0; i < 20; i++) {
      established = (await t.sh('cat /proc/net/tcp | awk \'$4 == "01" && $2 ~ /:1B59$/\'')).result.trim();
      if (!established) break;
      await sleep(100);
    }
    assert.equal(established, '');
  });

  it('works in a sandbox with networking blocked', async () => {
    const s = await createSandbox(t.stack, { cpu: 1, memory: 1, disk: 2, networkBlockAll: true });
    try {
      await t.stack.api('POST', `/toolbox/${s.id}/process/session`, { sessionId: 'srv' });
      await t.stack.api('POST', `/toolbox/${s.id}/process/session/srv/exec`, {
        command: 'python3 -m http.server 8080 --bind 127.0.0.1 &',
        runAsync: true,
      });
      let res = '';
      for (let i = 0; i < 50 && !res.startsWith('HTTP/1.0 200'); i++) {
        try {
          const { value, end } = await open(s.id, 8080);
          res = (await roundTrip(value, 'GET / HTTP/1.0\r\nHost: x\r\n\r\n')).toString();
          end();
        } catch {
          await sleep(100);
        }
      }
      assert.match(res, /^HTTP\/1\.0 200/);
    } finally {
      await t.stack.api('DELETE', `/sandbox/${s.id}`);
    }
  });

  it('needs write access to the sandbox', async () => {
    const made = await t.stack.api('POST', '/api-keys', { name: 'reader', permissions: [] });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const reader = await t.stack.server.orch.authenticate(made.body.value);
    await assert.rejects(open(t.id, 7001, reader), (e: AppError) => e.code === 'forbidden');
    await assert.rejects(
      t.stack.server.orch.toolbox.tunnel.open(admin, t.id, { port: 70000 }),
      (e: AppError) => e.code === 'invalid_argument',
    );
  });
});
