// The adversarial table: attacks on a running Berth, one row each with the
// expected outcome. Every row runs while a prober keeps asking /api/health and
// a neighbour sandbox keeps answering exec; the row fails if the API's p99
// latency goes over budget or the neighbour stops answering. Adding an attack
// is one line. (Cross-organization access on every route: cross-org.test.ts;
// rate limits in depth: rate-limits.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { containerOf, docker, sandboxIp } from '../helpers/docker.js';
import { as, sleep } from './helpers.js';
import { startApp } from '../gateways/app.js';
import type { Json } from '../helpers/json.js';

type Ctx = { stack: Stack; sb: { id: string }; neighbour: { id: string } };
type Attack = (t: Ctx) => Promise<void>;
type Row = [what: string, attack: Attack];

const SMALL = { cpu: 1, memory: 1, disk: 1 };
const MARK = randomBytes(4).toString('hex');

// ---- row builders: each returns the attack and asserts its expected outcome ----

/** Runs `command` in the attacking sandbox; its output must match. */
const inside =
  (command: string, expect: RegExp, timeout = 20): Attack =>
  async ({ stack, sb }) => {
    const r = await exec(stack, sb.id, command, { timeout });
    assert.match(r.result, expect);
  };

/** Tries to connect from the attacking sandbox to `target` (a URL, or a function of the test context); must fail. */
const unreachable =
  (target: string | ((t: Ctx) => Promise<string>)): Attack =>
  async (t) => {
    const url = typeof target === 'string' ? target : await target(t);
    const r = await exec(t.stack, t.sb.id, `curl -sS -m 3 ${url} 2>&1; echo rc=$?`, { timeout: 20 });
    assert.match(r.result, /rc=(6|7|28)/, `${url} answered: ${r.result}`);
  };

/** Sends raw bytes to the API port; the server must answer with `status` (or close) within `withinMs`, reading no more than we sent. */
const raw =
  (
    request: string | ((t: Ctx) => Promise<string>),
    expect: { status?: number; closed?: boolean; body?: RegExp },
    withinMs: number,
    trickle?: { bytes: string; everyMs: number },
  ): Attack =>
  async (t) => {
    const { stack } = t;
    const port = Number(new URL(stack.url).port);
    const bytes = typeof request === 'string' ? request : await request(t);
    const t0 = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let got = '';
      let timer: NodeJS.Timeout | undefined;
      s.on('data', (d) => {
        got += d.toString('latin1');
        // An answer is enough: the server must not wait for a body it refuses.
        if (expect.status && got.includes('\r\n')) s.destroy();
      });
      s.on('close', () => {
        clearInterval(timer);
        resolve(got);
      });
      s.on('error', reject);
      s.write(bytes);
      if (trickle) timer = setInterval(() => s.writable && s.write(trickle.bytes), trickle.everyMs);
      setTimeout(() => s.destroy(), withinMs + 5000);
    });
    const took = Date.now() - t0;
    if (expect.status)
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${expect.status} `), `answer: ${answer.slice(0, 200)}`);
    if (expect.closed) assert.ok(!answer.startsWith('HTTP/1.1 2'), `a slow client got ${answer.slice(0, 100)}`);
    if (expect.body) assert.match(answer, expect.body);
    assert.ok(took < withinMs, `took ${took} ms (budget ${withinMs})`);
  };

/** Calls the API as `key(t)`; must get `status` and `code`. */
const call =
  (
    method: string,
    path: (t: Ctx) => string,
    status: number,
    code: string,
    opts: { key?: (t: Ctx) => Promise<string | null>; body?: unknown } = {},
  ): Attack =>
  async (t) => {
    const key = opts.key ? await opts.key(t) : t.stack.key;
    const r = await as(t.stack, key)(method, path(t), opts.body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body?.code, code, JSON.stringify(r.body));
  };

/** A fresh sandbox for attacks that take it down; deleted afterwards. */
async function withFresh(t: Ctx, body: Record<string, unknown>, f: (id: string) => Promise<void>): Promise<void> {
  const s = await createSandbox(t.stack, body);
  try {
    await f(s.id);
  } finally {
    await t.stack.api('DELETE', `/sandbox/${s.id}`);
  }
}

/** Writes files until the watched disk limit stops the sandbox. */
const fillDisk =
  (command: string): Attack =>
  async (t) =>
    withFresh(t, { cpu: 1, memory: 1, disk: 0.25 }, async (id) => {
      await exec(t.stack, id, command, { timeout: 120 }).catch(() => undefined);
      const stopped = await t.stack.server.orch.reconciler.checkDisks();
      assert.ok(stopped.includes(id), 'the disk watch did not stop it');
      for (let i = 0; i < 60; i++) {
        const s = (await t.stack.api('GET', `/sandbox/${id}`)).body;
        if (s.state !== 'started') {
          assert.match(String(s.errorReason), /disk limit exceeded/);
          return;
        }
        await sleep(500);
      }
      assert.fail('still started');
    });

const neighbourIp = (t: Ctx) => sandboxIp(t.neighbour.id);
const gateway = async () => (await docker.getNetwork('berth').inspect()).IPAM?.Config?.[0]?.Gateway || '10.88.0.1';

/** A tar whose entries try to leave the extraction folder. */
async function evilTar(): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: `../../../../../../tmp/berth-escape-${MARK}` }, 'dotdot');
  pack.entry({ name: `/tmp/berth-abs-${MARK}` }, 'absolute');
  pack.entry({ name: 'link', type: 'symlink', linkname: '/tmp' });
  pack.entry({ name: `link/berth-via-link-${MARK}` }, 'through a symlink');
  pack.entry({ name: 'hard', type: 'link', linkname: '/etc/shadow' });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A gzip of one tar entry of `bytes` zeros: kilobytes that expand to far more than the sandbox may write. */
async function tarBomb(bytes: number): Promise<Buffer> {
  const header = Buffer.alloc(512);
  header.write('zeros', 0);
  header.write('0000644\0', 100);
  header.write('0001750\0', 108);
  header.write('0001750\0', 116);
  header.write(bytes.toString(8).padStart(11, '0') + '\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((r) => gz.on('end', () => r()));
  gz.write(header);
  const zero = Buffer.alloc(1 << 20);
  // The content and the end-of-archive blocks are all zeros.
  for (let left = bytes + 1024; left > 0; left -= zero.length) {
    if (!gz.write(left >= zero.length ? zero : zero.subarray(0, left)))
      await new Promise<void>((r) => gz.once('drain', () => r()));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

const upload = async (t: Ctx, path: string, data: Buffer) => {
  const form = new FormData();
  form.append('files[0].path', path);
  form.append('files[0].file', new Blob([data]), 'x');
  const r = await fetch(`${t.stack.url}/toolbox/${t.sb.id}/files/bulk-upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.stack.key}` },
    body: form,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
};

/** GET /api/sandbox from a chosen local address (with `forwardedFor` as X-Forwarded-For). */
function fromAddress(
  t: Ctx,
  localAddress: string,
  key: string,
  forwardedFor?: string,
): Promise<{ status: number; body: Json; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${t.stack.apiUrl}/sandbox`);
    const headers = { authorization: `Bearer ${key}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, localAddress, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || 'null'), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const wrongKey = () => `berth_${randomBytes(20).toString('hex')}`;
/** The address the attacks test server trusts as a reverse proxy (BERTH_TRUSTED_PROXIES). */
const PROXY = '127.0.0.5';

const host = (p: string) => assert.ok(!existsSync(p), `${p} appeared on the host`);

const readOnlyKey = async (t: Ctx) =>
  (await t.stack.api('POST', '/api-keys', { name: `ro-${randomBytes(3).toString('hex')}`, permissions: [] })).body
    .value as string;
const revokedKey = async (t: Ctx) => {
  const name = `rv-${randomBytes(3).toString('hex')}`;
  const k = (await t.stack.api('POST', '/api-keys', { name, permissions: ['write:sandboxes'] })).body.value as string;
  await t.stack.api('DELETE', `/api-keys/${name}`);
  return k;
};
const expiredKey = async (t: Ctx) => {
  const k = (
    await t.stack.api('POST', '/api-keys', {
      name: `ex-${randomBytes(3).toString('hex')}`,
      permissions: ['write:sandboxes'],
      expiresAt: new Date(Date.now() + 300).toISOString(),
    })
  ).body.value as string;
  await sleep(400);
  return k;
};

// ---- previews: the attacking sandbox runs a web app on 8080 (started once) ----

const previewed = new WeakMap<Ctx, Promise<{ port: number; token: string }>>();
/** Starts the app in the attacking sandbox (once) and returns the server port and the sandbox's preview token. */
const previewOf = (t: Ctx) => {
  if (!previewed.has(t)) {
    previewed.set(
      t,
      (async () => {
        await startApp(t.stack, t.sb.id);
        const token = (await t.stack.api('GET', `/sandbox/${t.sb.id}/ports/8080/preview-url`)).body.token as string;
        return { port: Number(new URL(t.stack.url).port), token };
      })(),
    );
  }
  return previewed.get(t)!;
};
/** A raw request to the attacking sandbox's preview host (with its token), built by `f`. */
const previewRaw = (f: (host: string, neighbour: string, token: string) => string) => async (t: Ctx) => {
  const { port, token } = await previewOf(t);
  return f(`8080-${t.sb.id}.localhost:${port}`, `8080-${t.neighbour.id}.localhost:${port}`, token);
};
/** Sends a request to a preview URL of the attacking sandbox. */
const preview = async (
  t: Ctx,
  host: (id: string, port: number) => string,
  headers: Record<string, string> = {},
  method = 'GET',
) => {
  const { port } = await previewOf(t);
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: '/', headers: { host: `${host(t.sb.id, port)}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
};

const ROWS: Row[] = [
  // ---- escape primitives from inside ----
  [
    'write the read-only daemon folder',
    inside('touch /.berth/bin/x 2>&1; touch /.berth/run/x 2>&1; echo rc=$?', /Read-only file system[\s\S]*rc=1/),
  ],
  ['mount a filesystem', inside('mount -t tmpfs none /tmp 2>&1; echo rc=$?', /rc=(1|32)/)],
  ['unshare a user namespace', inside('unshare -Ur id 2>&1; echo rc=$?', /rc=1/)],
  ['enter PID 1\u2019s namespaces', inside('nsenter -t 1 -m -u -n -i sh -c id 2>&1; echo rc=$?', /rc=1/)],
  ['chroot', inside('chroot / true 2>&1; echo rc=$?', /rc=(1|125)/)],
  ['write /proc/sys', inside('echo 1 > /proc/sys/kernel/sysrq 2>&1; echo rc=$?', /rc=1/)],
  ['trigger sysrq', inside('echo h > /proc/sysrq-trigger 2>&1; echo rc=$?', /rc=1/)],
  [
    'write the cgroup filesystem',
    inside(
      'for f in /sys/fs/cgroup/*/cgroup.procs /sys/fs/cgroup/cgroup.procs; do [ -e "$f" ] && (echo $$ > "$f") 2>/dev/null && echo WROTE; done; echo done',
      /^done\n$/,
    ),
  ],
  ['load a kernel module', inside('modprobe dummy 2>&1 || insmod /x.ko 2>&1; echo rc=$?', /rc=[1-9]/)],
  ['mknod a device', inside('mknod /tmp/sda b 8 0 2>&1; echo rc=$?', /rc=1/)],
  [
    'open a raw socket',
    inside(
      'python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)" 2>&1; echo rc=$?',
      /PermissionError[\s\S]*rc=1/,
    ),
  ],
  [
    'escalate through a setuid binary',
    inside(
      'cp /bin/bash /tmp/b && chmod u+s /tmp/b; /tmp/b -p -c "id -u"; sudo -n true 2>&1; echo rc=$?',
      /^1000$[\s\S]*rc=(1|127)/m,
    ),
  ],
  [
    'reach the Docker socket',
    inside('ls -la /var/run/docker.sock /run/docker.sock 2>&1; echo rc=$?', /No such file[\s\S]*rc=2/),
  ],
  ['gain capabilities', inside('grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status', /CapEff:\s+0{16}[\s\S]*/)],
  // ---- network: the host, metadata, private ranges, other sandboxes ----
  ['reach the cloud metadata address', unreachable('http://169.254.169.254/latest/meta-data/')],
  [
    'reach the Berth API through the bridge gateway',
    unreachable(async (t) => `http://${await gateway()}:${new URL(t.stack.url).port}/api/health`),
  ],
  [
    'reach the host on its own address',
    unreachable(
      async (t) =>
        `http://${(await import('node:os')).networkInterfaces().eth0?.find((a) => a.family === 'IPv4')?.address ?? '192.0.2.2'}:${new URL(t.stack.url).port}/`,
    ),
  ],
  [
    'reach the host loopback',
    unreachable((async (t: Ctx) => `http://127.0.0.1:${new URL(t.stack.url).port}/`) as (t: Ctx) => Promise<string>),
  ],
  ['reach a neighbour sandbox by address', unreachable(async (t) => `http://${await neighbourIp(t)}:22/`)],
  ['reach a neighbour sandbox by container name', unreachable(async (t) => `http://berth-${t.neighbour.id}:8080/`)],
  ['reach a private range', unreachable('http://10.0.0.1/')],
  ['reach the default Docker bridge', unreachable('http://172.17.0.1/')],
  // ---- resource exhaustion ----
  [
    'fork bomb',
    async (t) => {
      await exec(t.stack, t.sb.id, 'bomb() { bomb | bomb & }; bomb; sleep 5', { timeout: 8 }).catch(() => undefined);
      // The timeout kills the whole tree; the last of it may take a moment to go.
      let left = '';
      let calm = 0;
      for (let i = 0; i < 40 && calm < 4; i++) {
        left = (
          await exec(t.stack, t.sb.id, 'ps -e --no-headers | wc -l').catch(() => ({ result: 'no fork' }))
        ).result.trim();
        calm = Number(left) < 20 ? calm + 1 : 0;
        await sleep(500);
      }
      assert.ok(calm >= 4, `processes left: ${left}`);
    },
  ],
  ['memory bomb', inside('python3 -c "x = bytearray(3 * 1024**3); print(len(x))"; echo rc=$?', /rc=(137|1)/, 60)],
  [
    'fill the disk',
    fillDisk('dd if=/dev/zero of=/tmp/a bs=1M count=300 2>&1; dd if=/dev/zero of=/tmp/b bs=1M count=300 2>&1; sync'),
  ],
  ['fill the inodes', fillDisk('mkdir -p /tmp/i && cd /tmp/i && seq 1 80000 | xargs touch; ls | wc -l')],
  [
    'endless output on an exec stream',
    async (t) => {
      const r = await exec(t.stack, t.sb.id, 'yes flood | head -c 50000000', { timeout: 60 });
      // Capped at BERTH_EXEC_OUTPUT_LIMIT_BYTES (16 MiB by default), the rest dropped and flagged.
      assert.ok(r.result.length <= 16 << 20, `kept ${r.result.length} bytes`);
      assert.equal((r as Json).truncated, true);
    },
  ],
  [
    'endless output on PID 1\u2019s stdout',
    async (t) => {
      await exec(t.stack, t.sb.id, 'timeout 5 yes flood > /proc/1/fd/1 2>/dev/null; true', { timeout: 20 });
      const logPath = (await containerOf(t.sb.id).inspect()).LogPath;
      // The engine rotates by renaming: between rotations the log may not exist at all.
      const logged = readdirSync(dirname(logPath))
        .filter((n) => n.startsWith(basename(logPath)))
        .reduce((sum, n) => sum + (statSync(join(dirname(logPath), n), { throwIfNoEntry: false })?.size ?? 0), 0);
      assert.ok(logged <= 2 * (1 << 20), `the engine logs grew to ${logged} bytes`);
    },
  ],
  // ---- uploads: archives and paths ----
  [
    'upload a tar with .., absolute and link entries and extract it',
    async (t) => {
      const up = await upload(t, '/home/berth/evil.tar', await evilTar());
      assert.equal(up.status, 200, JSON.stringify(up.body));
      await exec(t.stack, t.sb.id, 'mkdir -p /home/berth/x && cd /home/berth/x && tar -xf ../evil.tar 2>&1; true');
      for (const p of [`/tmp/berth-escape-${MARK}`, `/tmp/berth-abs-${MARK}`, `/tmp/berth-via-link-${MARK}`]) host(p);
      const shadow = await exec(t.stack, t.sb.id, 'cat /home/berth/x/hard 2>&1; echo rc=$?');
      assert.doesNotMatch(shadow.result, /root:/);
    },
  ],
  [
    'upload an archive bomb and expand it',
    async (t) => {
      const bomb = await tarBomb(1536 << 20);
      assert.ok(bomb.length * 500 < 1536 << 20, `the bomb is ${bomb.length} bytes`);
      assert.equal((await upload(t, '/home/berth/bomb.tar.gz', bomb)).status, 200);
      const size = await exec(t.stack, t.sb.id, 'stat -c %s /home/berth/bomb.tar.gz');
      assert.equal(Number(size.result.trim()), bomb.length, 'Berth stores uploads as sent, never expanded');
      const r = await exec(
        t.stack,
        t.sb.id,
        'cd /tmp && tar -xzf /home/berth/bomb.tar.gz 2>&1; echo rc=$?; rm -f /tmp/zeros /home/berth/bomb.tar.gz',
        { timeout: 120 },
      );
      assert.match(r.result, /File too large|Exceeded|rc=[12]/);
    },
  ],
  [
    'upload to paths outside the sandbox',
    async (t) => {
      for (const p of [
        '../../../../../etc/cron.d/berth-x',
        `/../../tmp/berth-up-${MARK}`,
        '/.berth/run/x',
        '/proc/1/root/tmp/y',
      ])
        await upload(t, p, Buffer.from('x'));
      host('/etc/cron.d/berth-x');
      host(`/tmp/berth-up-${MARK}`);
    },
  ],
  [
    'read host files through traversal and symlinks',
    async (t) => {
      const get = async (p: string) =>
        (
          await fetch(`${t.stack.url}/toolbox/${t.sb.id}/files/download?path=${encodeURIComponent(p)}`, {
            headers: { authorization: `Bearer ${t.stack.key}` },
          })
        ).text();
      await exec(t.stack, t.sb.id, 'ln -sfn /etc/hostname /tmp/h; ln -sfn /proc/1/root/etc/hostname /tmp/h2');
      for (const p of ['/../../../../etc/hostname', '/tmp/h', '/tmp/h2', '/proc/self/root/etc/hostname'])
        assert.equal((await get(p)).trim(), 'sandbox', p);
      assert.doesNotMatch(await get('/etc/shadow'), /root:/);
    },
  ],
  [
    'swap a symlink while files are read and written',
    async (t) => {
      await exec(
        t.stack,
        t.sb.id,
        'echo plain > /tmp/real; (for i in $(seq 3000); do ln -sfn /etc/shadow /tmp/sw; ln -sfn /tmp/real /tmp/sw; done) > /dev/null 2>&1 &',
      );
      for (let i = 0; i < 30; i++) {
        const r = await fetch(`${t.stack.url}/toolbox/${t.sb.id}/files/download?path=/tmp/sw`, {
          headers: { authorization: `Bearer ${t.stack.key}` },
        });
        assert.doesNotMatch(await r.text(), /root:/);
        await upload(t, '/tmp/sw', Buffer.from('overwrite'));
      }
      const shadow = await exec(t.stack, t.sb.id, 'ls -l /etc/shadow; head -c 5 /etc/shadow 2>&1');
      assert.match(shadow.result, /Permission denied|root root/);
    },
  ],
  // ---- the HTTP edge: sizes and slow clients ----
  [
    'send a JSON body declared at 1 GiB',
    raw(
      'POST /api/sandbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{',
      { status: 413 },
      2000,
    ),
  ],
  [
    'send a multipart upload declared at 10 GiB',
    raw(
      `POST /toolbox/x/files/bulk-upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10737418240\r\n\r\n--b\r\n`,
      { status: 413 },
      2000,
    ),
  ],
  [
    'send 20 KiB of headers',
    raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, { status: 431 }, 2000),
  ],
  [
    'send headers slowly (slowloris)',
    raw('GET /api/health HTTP/1.1\r\nHost: x\r\n', { closed: true }, 6000, { bytes: 'X-A: b\r\n', everyMs: 500 }),
  ],
  [
    'send a body slowly',
    raw(
      'POST /api/sandbox HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      { closed: true },
      9000,
      { bytes: ' ', everyMs: 500 },
    ),
  ],
  // ---- preview proxy: one host per request, smuggling refused by the parser, credentials kept to their sandbox and port ----
  [
    'preview: absolute-form target naming another sandbox',
    raw(
      previewRaw((a, b, tok) => `GET http://${b}/ HTTP/1.1\r\nHost: ${a}\r\nX-Daytona-Preview-Token: ${tok}\r\n\r\n`),
      { status: 400, body: /absolute-form/ },
      2000,
    ),
  ],
  [
    'preview: two Host headers',
    raw(
      previewRaw(
        (a, b, tok) => `GET / HTTP/1.1\r\nHost: ${a}\r\nHost: ${b}\r\nX-Daytona-Preview-Token: ${tok}\r\n\r\n`,
      ),
      { status: 400, body: /exactly one Host/ },
      2000,
    ),
  ],
  [
    'preview: Host with userinfo',
    raw(
      previewRaw((a, b, tok) => `GET / HTTP/1.1\r\nHost: ${a}@${b}\r\nX-Daytona-Preview-Token: ${tok}\r\n\r\n`),
      { status: 400, body: /malformed Host/ },
      2000,
    ),
  ],
  [
    'preview: smuggle with Content-Length and Transfer-Encoding',
    raw(
      previewRaw(
        (a, _b, tok) =>
          `POST / HTTP/1.1\r\nHost: ${a}\r\nX-Daytona-Preview-Token: ${tok}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${a}\r\n\r\n`,
      ),
      { status: 400, body: /^(?![\s\S]*smuggled)/ },
      2000,
    ),
  ],
  [
    'preview: smuggle with an obs-fold header',
    raw(
      previewRaw(
        (a, _b, tok) =>
          `GET / HTTP/1.1\r\nHost: ${a}\r\nX-Daytona-Preview-Token: ${tok}\r\nX-A: a\r\n Host: evil\r\n\r\n`,
      ),
      { status: 400 },
      2000,
    ),
  ],
  [
    'preview: send 20 KiB of headers',
    raw(
      previewRaw(
        (a, _b, tok) =>
          `GET / HTTP/1.1\r\nHost: ${a}\r\nX-Daytona-Preview-Token: ${tok}\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
      ),
      { status: 431 },
      2000,
    ),
  ],
  [
    'preview: a cookie of sandbox A sent to sandbox B',
    async (t) => {
      const { token } = await previewOf(t);
      const a = await preview(t, (id, port) => `8080-${id}.localhost:${port}`, { 'x-daytona-preview-token': token });
      assert.equal(a.status, 200, a.body);
      const cookie = a.headers['set-cookie']!.find((c) => c.startsWith('berth_preview='))!.split(';')[0]!;
      const b = await preview(t, (_id, port) => `8080-${t.neighbour.id}.localhost:${port}`, { cookie });
      assert.equal(b.status, 401, 'sandbox B does not accept A\u2019s cookie');
      // …nor does the token of A open B.
      assert.equal(
        (
          await preview(t, (_id, port) => `8080-${t.neighbour.id}.localhost:${port}`, {
            'x-daytona-preview-token': token,
          })
        ).status,
        404,
      );
    },
  ],
  [
    'preview: a signed URL for port P used on port Q',
    async (t) => {
      const signed = (await t.stack.api('GET', `/sandbox/${t.sb.id}/ports/8080/signed-preview-url?expiresInSeconds=60`))
        .body.token as string;
      assert.equal((await preview(t, (_id, port) => `8080-${signed}.localhost:${port}`)).status, 200);
      assert.equal((await preview(t, (_id, port) => `8081-${signed}.localhost:${port}`)).status, 404);
    },
  ],
  [
    'preview: Berth\u2019s own port and toolbox through a preview host',
    async (t) => {
      const { token } = await previewOf(t);
      // The port is the sandbox's own: Berth's API port on the host is not behind it.
      const own = await preview(t, (id, port) => `${port}-${id}.localhost:${port}`, {
        'x-daytona-preview-token': token,
      });
      assert.equal(own.status, 502, own.body);
      assert.match(own.body, /nothing is listening/);
      const tb = await preview(t, (id, port) => `8080-${id}.localhost:${port}`, { 'x-daytona-preview-token': token });
      assert.doesNotMatch(tb.body, /"source":"BERTH_API"/);
    },
  ],
  [
    'preview: CORS preflight from another site',
    async (t) => {
      const { token } = await previewOf(t);
      const r = await preview(
        t,
        (id, port) => `8080-${id}.localhost:${port}`,
        { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'x-daytona-preview-token': token },
        'OPTIONS',
      );
      assert.equal(r.headers['access-control-allow-origin'], undefined);
      assert.equal(r.headers['access-control-allow-credentials'], undefined);
    },
  ],

  // ---- credentials and scopes ----
  ['use a revoked key', call('GET', () => '/sandbox', 401, 'unauthorized', { key: revokedKey })],
  ['use an expired key', call('GET', () => '/sandbox', 401, 'unauthorized', { key: expiredKey })],
  [
    'exec with a read-only key',
    call('POST', (t) => `/toolbox/${t.sb.id}/process/execute`, 403, 'FORBIDDEN', {
      key: readOnlyKey,
      body: { command: 'id' },
    }),
  ],
  [
    'delete a sandbox with a read-only key',
    call('DELETE', (t) => `/sandbox/${t.sb.id}`, 403, 'forbidden', { key: readOnlyKey }),
  ],
  [
    'create a key stronger than its creator',
    call('POST', () => '/api-keys', 403, 'forbidden', {
      key: readOnlyKey,
      body: { name: 'up', permissions: ['write:sandboxes'] },
    }),
  ],
  [
    'guess API keys (brute force)',
    async (t) => {
      // From an address of its own (127.0.0.2), so blocking it leaves the rest of the table alone.
      const guess = (key: string) => fromAddress(t, '127.0.0.2', key);
      for (let i = 0; i < 5; i++) assert.equal((await guess(wrongKey())).status, 401);
      const r = await guess(wrongKey());
      assert.equal(r.status, 429);
      assert.equal(r.body.code, 'rate_limited');
      assert.match(r.body.hint, /BERTH_RATE_LIMIT_FAILED_AUTH/);
      assert.ok(Number(r.headers['retry-after']) > 0);
      assert.equal((await guess(wrongKey())).status, 429, 'further guesses from that address are refused');
      assert.equal((await fromAddress(t, '127.0.0.6', wrongKey())).status, 401, 'other addresses are not');
    },
  ],
  [
    'lock everyone behind a shared address (NAT, proxy) out with wrong keys',
    async (t) => {
      const shared = '127.0.0.3';
      for (let i = 0; i < 20; i++) await fromAddress(t, shared, wrongKey());
      assert.equal((await fromAddress(t, shared, wrongKey())).status, 429, 'the wrong keys are blocked');
      for (let i = 0; i < 3; i++) {
        const ok = await fromAddress(t, shared, t.stack.key);
        assert.equal(ok.status, 200, 'a valid key from the flooded address is never refused by the failed-auth limit');
        assert.ok(Number(ok.headers['x-ratelimit-remaining']) >= 0, 'it still counts against its own per-key limit');
      }
    },
  ],
  [
    'dodge the failed-auth limit with a made-up X-Forwarded-For',
    async (t) => {
      // 127.0.0.4 is no trusted proxy: its X-Forwarded-For is ignored, every guess counts against 127.0.0.4.
      for (let i = 0; i < 5; i++)
        assert.equal((await fromAddress(t, '127.0.0.4', wrongKey(), `203.0.113.${i + 1}`)).status, 401);
      assert.equal((await fromAddress(t, '127.0.0.4', wrongKey(), '203.0.113.99')).status, 429);
    },
  ],
  [
    'through a trusted proxy: one client\u2019s wrong keys block that client, not the proxy',
    async (t) => {
      const client = '198.51.100.7';
      for (let i = 0; i < 5; i++) assert.equal((await fromAddress(t, PROXY, wrongKey(), client)).status, 401);
      assert.equal(
        (await fromAddress(t, PROXY, wrongKey(), client)).status,
        429,
        'the client behind the proxy is limited',
      );
      // The client writes its own X-Forwarded-For; the proxy appends the real address, which is the one that counts.
      assert.equal(
        (await fromAddress(t, PROXY, wrongKey(), `10.9.9.9, ${client}`)).status,
        429,
        'a forged hop before the real one changes nothing',
      );
      assert.equal(
        (await fromAddress(t, PROXY, wrongKey(), '198.51.100.8')).status,
        401,
        'another client behind the same proxy is not blocked',
      );
      assert.equal((await fromAddress(t, PROXY, wrongKey())).status, 401, 'nor is the proxy itself');
    },
  ],
];

describe('adversarial table', () => {
  const t = {} as Ctx;
  before(async () => {
    t.stack = await startStack({
      // The health prober asks several times a second without a key: the anonymous limit is not under test here (rate-limits.test.ts).
      config: {
        execOutputLimitBytes: 1 << 20,
        jsonBodyLimitBytes: 64 << 10,
        uploadLimitBytes: 64 << 20,
        httpHeadersTimeoutSeconds: 2,
        httpRequestTimeoutSeconds: 5,
        rateLimitCreate: 100,
        rateLimitAnonymous: 100_000,
        trustedProxies: `${PROXY}/32`,
      },
    });
    t.sb = await createSandbox(t.stack, SMALL);
    t.neighbour = await createSandbox(t.stack, SMALL);
  });
  after(async () => t.stack?.close());

  /** Health latencies while `f` runs, and the neighbour's exec afterwards. */
  async function contained(f: () => Promise<void>): Promise<void> {
    const latencies: number[] = [];
    let failures = 0;
    let running = true;
    const probe = (async () => {
      while (running) {
        const t0 = Date.now();
        // The prober uses the unauthenticated health route from its own address budget: it is not the attacker.
        const ok = await fetch(`${t.stack.apiUrl}/health`).then(
          (r) => r.status === 200 || r.status === 429,
          () => false,
        );
        latencies.push(Date.now() - t0);
        if (!ok) failures++;
        await sleep(200);
      }
    })();
    try {
      await f();
    } finally {
      running = false;
      await probe;
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
    assert.equal(failures, 0, 'the API stopped answering during the attack');
    assert.ok(p99 < 5000, `health p99 ${p99} ms during the attack`);
    const t0 = Date.now();
    assert.equal((await exec(t.stack, t.neighbour.id, 'echo ok')).result, 'ok\n', 'the neighbour stopped answering');
    assert.ok(Date.now() - t0 < 10_000, 'the neighbour answered slowly');
  }

  it('creates the container locked down', async () => {
    const c = await containerOf(t.sb.id).inspect();
    const h = c.HostConfig;
    assert.equal(c.Config.User, 'berth');
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.ok(!h.CapAdd || h.CapAdd.length === 0, `caps added: ${h.CapAdd}`);
    assert.ok(h.SecurityOpt?.includes('no-new-privileges:true'));
    assert.equal(h.Privileged, false);
    assert.equal(h.PidsLimit, 512);
    assert.equal(h.Memory, 1024 ** 3);
    assert.equal(h.MemorySwap, h.Memory, 'no swap beyond the memory limit');
    assert.equal(h.NanoCpus, 1e9);
    // On the Berth bridge, directly or through the locked-down holder of its network namespace.
    if (h.NetworkMode !== 'berth') {
      assert.match(h.NetworkMode ?? '', /^container:/);
      const holder = await docker.getContainer(h.NetworkMode!.slice('container:'.length)).inspect();
      assert.equal(holder.Name, `/berth-netns-${t.sb.id}`);
      assert.deepEqual(Object.keys(holder.NetworkSettings.Networks), ['berth']);
      assert.deepEqual(holder.HostConfig.CapDrop, ['ALL']);
      assert.equal(holder.HostConfig.ReadonlyRootfs, true);
      assert.equal(holder.Config.User, '65534:65534');
      assert.equal(holder.Config.Labels['berth.runner'], t.stack.runnerId);
    }
    assert.ok(h.Ulimits?.some((u) => u.Name === 'nofile'));
    assert.ok(h.Ulimits?.some((u) => u.Name === 'fsize' && u.Hard === 1024 ** 3));
    assert.equal(h.LogConfig?.Config?.['max-size'], '1m');
    const binds = h.Binds ?? [];
    assert.equal(binds.length, 2);
    for (const b of binds) assert.match(b, /:ro$/, `${b} must be read-only`);
    assert.ok(!binds.some((b) => b.includes('docker.sock')));
    assert.ok(!(c.Mounts ?? []).some((m) => m.Source.includes('docker.sock')));
    assert.equal(c.Config.Labels['berth.sandbox'], t.sb.id);
    assert.equal(c.Config.Labels['berth.runner'], t.stack.runnerId);
    assert.equal(c.HostConfig.Runtime, 'runc');
  });

  it('runs everything without capabilities and without a way to gain them', async () => {
    const r = await exec(
      t.stack,
      t.sb.id,
      'grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/1/status /proc/self/status; id -u',
    );
    assert.match(r.result, /\/proc\/1\/status:CapEff:\s+0{16}/);
    assert.match(r.result, /\/proc\/self\/status:CapEff:\s+0{16}/);
    assert.match(r.result, /\/proc\/1\/status:NoNewPrivs:\s+1/);
    assert.match(r.result, /^1000$/m);
  });

  for (const [what, attack] of ROWS) {
    it(`attack: ${what}`, () => contained(() => attack(t)));
  }

  it('has no network at all with networkBlockAll', async () => {
    const iso = await createSandbox(t.stack, { cpu: 1, memory: 1, disk: 1, networkBlockAll: true });
    const r = await exec(
      t.stack,
      iso.id,
      'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; curl -sS -m 3 http://1.1.1.1 2>&1; echo rc=$?',
      { timeout: 20 },
    );
    assert.match(r.result, /^lo$/m);
    assert.doesNotMatch(r.result, /eth0/);
    assert.match(r.result, /rc=(6|7|28)/);
    const nets = (await containerOf(iso.id).inspect()).NetworkSettings.Networks ?? {};
    assert.deepEqual(
      Object.keys(nets).filter((n) => n !== 'none'),
      [],
    );
    await t.stack.api('DELETE', `/sandbox/${iso.id}`);
  });

  it('reaps orphaned zombies as PID 1', async () => {
    await exec(t.stack, t.neighbour.id, 'for i in $(seq 20); do (sleep 0.2 &) ; done; sleep 1');
    await sleep(2500);
    const r = await exec(t.stack, t.neighbour.id, 'ps -eo stat= | grep -c "^Z" || true');
    assert.equal(r.result.trim(), '0');
  });

  it('runs the injected daemon in an image without libc or Node', async () => {
    const bb = await createSandbox(t.stack, { image: 'berth-test/busybox:static', cpu: 1, memory: 1, disk: 1 });
    const r = await exec(t.stack, bb.id, 'echo hi from busybox; id -u; cat /proc/1/cmdline | tr "\\0" " "');
    assert.match(r.result, /hi from busybox\n1000\n\/\.berth\/bin\/ld-linux/);
    await t.stack.api('DELETE', `/sandbox/${bb.id}`);
  });

  it("still starts the image's own entrypoint", async () => {
    const ep = await createSandbox(t.stack, { image: 'berth-test/entrypoint:latest', cpu: 1, memory: 1, disk: 1 });
    await sleep(500);
    assert.equal((await exec(t.stack, ep.id, 'cat /tmp/entrypoint.txt')).result, 'entrypoint-ran\n');
    await t.stack.api('DELETE', `/sandbox/${ep.id}`);
  });

  it('left the attacker\u2019s and the neighbour\u2019s sandboxes running', async () => {
    for (const s of [t.sb, t.neighbour])
      assert.equal((await t.stack.api('GET', `/sandbox/${s.id}`)).body.state, 'started');
  });
});
