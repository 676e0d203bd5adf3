// The preview proxy under size and count: a 1 GiB upload streamed through to
// the app in bounded memory (hashed on both sides), and 200 WebSockets held
// open at once. Runs alone (scripts/test.mjs ALONE): it loads the host.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import WebSocket from 'ws';
import { startStack, type Stack } from '../helpers/stack.js';
import { appSandbox } from './app.js';
import { lookup } from './client.js';

const GiB = 1024 ** 3;

describe('preview proxy under load', () => {
  let stack: Stack;
  let id: string;
  let url: URL;
  let token: string;
  before(async () => {
    stack = await startStack();
    id = await appSandbox(stack);
    const link = (await stack.api('GET', `/sandbox/${id}/ports/8080/preview-url`)).body;
    url = new URL(link.url);
    token = link.token;
  });
  after(async () => {
    await stack?.api('DELETE', `/sandbox/${id}`).catch(() => {});
    await stack?.close();
  });

  it('streams a 1 GiB upload to the app in bounded memory', async () => {
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31) & 255;
    const want = createHash('sha256');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= GiB) return void this.push(null);
        want.update(block);
        sent += block.length;
        this.push(block);
      },
    });
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: '/upload',
            method: 'POST',
            lookup,
            headers: { 'x-daytona-preview-token': token, 'content-type': 'application/octet-stream' },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () =>
              res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
            );
          },
        );
        req.on('error', reject);
        body.pipe(req);
      });
      const got = JSON.parse(answer) as { bytes: number; sha256: string };
      assert.equal(got.bytes, GiB);
      assert.equal(got.sha256, want.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    const grew = (peak - base) / 2 ** 20;
    assert.ok(grew < 128, `the server process grew by ${grew.toFixed(0)} MiB while streaming 1 GiB`);
  });

  it('holds 200 WebSockets open at once, each echoing', async () => {
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const ws = new WebSocket(`ws://${url.host}/ws/${i}`, {
          headers: { 'x-daytona-preview-token': token },
          lookup,
        } as WebSocket.ClientOptions);
        sockets.push(ws);
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
      }
      assert.equal(stack.server.previews.stats().websockets, 200);
      const echoes = await Promise.all(
        sockets.map(
          (ws, i) =>
            new Promise<string>((resolve) => {
              ws.once('message', (m) => resolve(String(m)));
              ws.send(`m${i}`);
            }),
        ),
      );
      echoes.forEach((e, i) => assert.equal(e, `echo:m${i} path:/ws/${i}`));
    } finally {
      for (const ws of sockets) ws.terminate();
    }
    for (let i = 0; i < 50 && stack.server.previews.stats().websockets > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(stack.server.previews.stats().websockets, 0, 'closed sockets release their tunnels');
  });
});
