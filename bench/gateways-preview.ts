// The preview proxy against the same requests made from inside the sandbox,
// in the same run, on the same app (bound to 127.0.0.1:8080): sequential
// keep-alive request latency (p50/p95; target: overhead ≤ 2 ms at p50),
// throughput with 16 keep-alive connections (target ≥ 0.5× of inside), and
// 200 WebSockets held open at once, each echoing twice. The browser path is
// measured: the preview cookie, checked in memory. Run with
// `npm run bench -- --only=gateways` (needs Docker and the base image).
import http from 'node:http';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { inProcessServer } from './in-process.js';
import { APP_JS } from '../test/gateways/app.js';
import { lookup } from '../test/gateways/client.js';
import { fmtMs, percentile } from './stats.js';
import type { Json } from '../test/helpers/json.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1000);
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const CONCURRENCY = 16;
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 200);

/** The measurement, as a script for a node process of its own: inside the sandbox against 127.0.0.1:8080, or on the host through the proxy. */
const clientJs = (port: number, headers: Record<string, string>) => String.raw`
const http = require('http');
const agent = new http.Agent({ keepAlive: true, maxSockets: ${CONCURRENCY} });
const get = () => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port: ${port}, path: '/small', agent, headers: ${JSON.stringify(headers)} }, (res) => {
    if (res.statusCode !== 200) reject(new Error('status ' + res.statusCode));
    res.resume(); res.on('end', resolve);
  }).on('error', reject);
});
(async () => {
  for (let i = 0; i < 100; i++) await get();
  const lat = [];
  for (let i = 0; i < ${ROUNDS}; i++) { const t = process.hrtime.bigint(); await get(); lat.push(Number(process.hrtime.bigint() - t) / 1e6); }
  let left = ${THROUGHPUT_REQUESTS};
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: ${CONCURRENCY} }, async () => { while (left-- > 0) await get(); }));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ lat, rps: ${THROUGHPUT_REQUESTS} / secs }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Runs `js` in a node process of its own on the host (the server keeps its event loop to itself). */
const onHost = (js: string) =>
  new Promise<{ lat: number[]; rps: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`host client exited ${code}`)),
    );
  });

async function main(): Promise<void> {
  const booted = await inProcessServer();
  const { server, key } = booted;
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await r.json()) as Json;
  };
  const exec = async (id: string, command: string, timeout = 120) =>
    (await api('POST', `/toolbox/${id}/process/execute`, { command, timeout })) as { exitCode: number; result: string };
  let id = '';
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const s = await api('POST', '/api/sandbox', { cpu: 1, memory: 1, autoStopInterval: 0 });
    if (s.state !== 'started') throw new Error(`sandbox did not start: ${JSON.stringify(s)}`);
    id = s.id;
    await exec(id, `cat > /tmp/app.js <<'JS'\n${APP_JS}\nJS\ncat > /tmp/inside.js <<'JS'\n${clientJs(8080, {})}\nJS`);
    await api('POST', `/toolbox/${id}/process/session`, { sessionId: 'app' });
    await api('POST', `/toolbox/${id}/process/session/app/exec`, { command: 'node /tmp/app.js 8080', runAsync: true });
    for (
      let i = 0;
      i < 100 && (await exec(id, 'curl -s -o /dev/null -w %{http_code} http://127.0.0.1:8080/')).result !== '200';
      i++
    )
      await new Promise((r) => setTimeout(r, 100));

    const link = await api('GET', `/api/sandbox/${id}/ports/8080/preview-url`);
    const url = new URL(link.url);
    // A browser's path: the credential once, then the cookie.
    const cookie = await new Promise<string>((resolve, reject) => {
      http
        .get(
          { host: url.hostname, port: url.port, path: '/', headers: { 'x-daytona-preview-token': link.token }, lookup },
          (res) => {
            res.resume();
            const c = (res.headers['set-cookie'] ?? []).find((x) => x.startsWith('berth_preview='));
            if (c) resolve(c.split(';')[0]!);
            else reject(new Error(`no cookie: ${res.statusCode}`));
          },
        )
        .on('error', reject);
    });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: url.hostname, port: url.port, path: '/small', headers: { cookie }, agent, lookup }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });

    // The tunnel alone (the same HTTP client over a pooled tunnel, no proxy server): the floor the proxy adds to.
    const admin = await server.orch.authenticate(key);
    class Direct extends http.Agent {
      override createConnection(
        _o: http.ClientRequestArgs,
        cb: (e: Error | null, s?: import('node:stream').Duplex) => void,
      ): undefined {
        server.orch.toolbox.tunnel.open(admin, id, { port: 8080 }).then(
          ({ value }) =>
            cb(
              null,
              Object.assign(value, {
                setKeepAlive: () => value,
                setNoDelay: () => value,
                ref: () => value,
                unref: () => value,
              }),
            ),
          (e: Error) => cb(e),
        );
        return undefined;
      }
    }
    const direct = new Direct({ keepAlive: true, maxSockets: CONCURRENCY });
    const viaTunnel = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: id, port: 8080, path: '/small', agent: direct }, (res) => {
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });

    // Inside before and after the host side: the two runs bracket the machine's load (others share it).
    const insideRun = async () =>
      JSON.parse((await exec(id, 'node /tmp/inside.js', 300)).result) as { lat: number[]; rps: number };
    const before = await insideRun();
    for (let i = 0; i < 100; i++) {
      await get();
      await viaTunnel();
    }
    // The bare tunnel, in this process (it is an in-process API): the floor under the proxy.
    const tun: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await viaTunnel();
      tun.push(performance.now() - t);
    }
    let tunLeft = THROUGHPUT_REQUESTS;
    const tt0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (tunLeft-- > 0) await viaTunnel();
      }),
    );
    const tunRps = THROUGHPUT_REQUESTS / ((performance.now() - tt0) / 1000);
    direct.destroy();
    // Through the proxy, from a client process of its own, as the inside client is.
    const proxied = await onHost(clientJs(Number(url.port), { host: url.host, cookie }));
    const lat = proxied.lat;
    const rps = proxied.rps;
    const tunnels = server.previews.stats().tunnelsOpened;
    const after = await insideRun();
    const inside = { lat: [...before.lat, ...after.lat], rps: (before.rps + after.rps) / 2 };

    const inP50 = percentile(inside.lat, 50);
    const outP50 = percentile(lat, 50);
    console.log(`preview request, sequential keep-alive (${ROUNDS} rounds):`);
    console.log(
      `  inside the sandbox   p50 ${fmtMs(inP50, 2)}  p95 ${fmtMs(percentile(inside.lat, 95), 2)}  (before: p50 ${fmtMs(percentile(before.lat, 50), 2)}, after: ${fmtMs(percentile(after.lat, 50), 2)})`,
    );
    console.log(
      `  tunnel alone         p50 ${fmtMs(percentile(tun, 50), 2)}  p95 ${fmtMs(percentile(tun, 95), 2)}  (HTTP client over the daemon link, no proxy server)`,
    );
    console.log(`  through the proxy    p50 ${fmtMs(outP50, 2)}  p95 ${fmtMs(percentile(lat, 95), 2)}`);
    console.log(`  tunnels opened by the proxy for ${ROUNDS + THROUGHPUT_REQUESTS + 101} requests: ${tunnels}`);
    console.log(`  overhead p50 ${fmtMs(outP50 - inP50, 2)} (target ≤ 2 ms)`);
    console.log(`throughput, ${CONCURRENCY} keep-alive connections, ${THROUGHPUT_REQUESTS} requests:`);
    console.log(
      `  tunnel alone ${tunRps.toFixed(0)} req/s (${(tunRps / inside.rps).toFixed(2)}×; the daemon relays every byte inside the sandbox's CPU limit)`,
    );
    console.log(
      `  inside ${inside.rps.toFixed(0)} req/s (before ${before.rps.toFixed(0)}, after ${after.rps.toFixed(0)}), through the proxy ${rps.toFixed(0)} req/s: ${(rps / inside.rps).toFixed(2)}× (target ≥ 0.5×)`,
    );

    // WebSockets held at once.
    const sockets: WebSocket[] = [];
    const echo = (ws: WebSocket, msg: string) =>
      new Promise<void>((resolve, reject) => {
        ws.once('message', (m) => (String(m).startsWith(`echo:${msg}`) ? resolve() : reject(new Error(`got ${m}`))));
        ws.send(msg);
      });
    const w0 = performance.now();
    for (let i = 0; i < SOCKETS; i++) {
      const ws = new WebSocket(`ws://${url.host}/ws/${i}`, { headers: { cookie }, lookup } as WebSocket.ClientOptions);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      sockets.push(ws);
    }
    const opened = performance.now() - w0;
    await Promise.all(sockets.map((ws, i) => echo(ws, `a${i}`)));
    await new Promise((r) => setTimeout(r, 2000));
    await Promise.all(sockets.map((ws, i) => echo(ws, `b${i}`)));
    const held = server.previews.stats().websockets;
    console.log(
      `WebSockets: ${SOCKETS} opened in ${fmtMs(opened, 0)}, ${held} held open at once, each echoed twice (target 200)`,
    );
    for (const ws of sockets) ws.close();
    const pass = outP50 - inP50 <= 2 && rps / inside.rps >= 0.5 && held >= SOCKETS;
    console.log(pass ? 'targets met' : 'TARGETS MISSED');
  } finally {
    agent.destroy();
    if (id) await api('DELETE', `/api/sandbox/${id}`).catch(() => {});
    await booted.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
