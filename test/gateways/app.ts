// A small web app that runs inside a test sandbox, bound to 127.0.0.1 only:
// echoes what it received (method, path, headers), streams SSE and chunked
// responses that wait for a release request (so a test can prove the first
// part arrived before the response ended), hashes uploads, and answers
// WebSocket upgrades with an echo (a minimal RFC 6455 server: the image has
// no ws package; text frames under 64 KiB are all the tests send).
import { createSandbox, exec, type Stack } from '../helpers/stack.js';

export const APP_JS = String.raw`
const http = require('http'), crypto = require('crypto');
const port = Number(process.argv[2] || 8080);
const waiting = new Map();
const release = (name) => { const w = waiting.get(name) || []; waiting.delete(name); w.forEach((f) => f()); };
const held = (name) => new Promise((r) => waiting.set(name, [...(waiting.get(name) || []), r]));
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/') { res.setHeader('content-type', 'text/html'); return res.end('<!doctype html><title>app</title><h1>hello from the sandbox app</h1>'); }
  if (url.pathname === '/release') { release(url.searchParams.get('name')); return res.end('released'); }
  if (url.pathname === '/sse') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('data: first\n\n');
    await held('sse'); res.write('data: second\n\n'); return res.end();
  }
  if (url.pathname === '/chunked') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('part one;');
    await held('chunked'); return res.end('part two');
  }
  if (url.pathname === '/upload') {
    const h = crypto.createHash('sha256'); let n = 0;
    req.on('data', (c) => { h.update(c); n += c.length; });
    req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ bytes: n, sha256: h.digest('hex') })); });
    return;
  }
  if (url.pathname === '/cookie') { res.setHeader('set-cookie', 'app=1; Path=/'); return res.end('ok'); }
  if (url.pathname === '/hop') { res.setHeader('connection', 'x-secret-hop'); res.setHeader('x-secret-hop', 'leak'); res.setHeader('keep-alive', 'timeout=5'); return res.end('hop'); }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, from: req.socket.remoteAddress }));
});
server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  let buf = Buffer.alloc(0);
  socket.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2) {
      const op = buf[0] & 15; let len = buf[1] & 127, off = 2;
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
      const masked = buf[1] & 128; const need = off + (masked ? 4 : 0) + len;
      if (buf.length < need) return;
      const mask = masked ? buf.subarray(off, off + 4) : null; let p = buf.subarray(off + (masked ? 4 : 0), need);
      if (mask) p = Buffer.from(p.map((b, i) => b ^ mask[i % 4]));
      buf = buf.subarray(need);
      if (op === 8) { socket.end(Buffer.from([0x88, 0])); return; }
      const text = Buffer.from('echo:' + p.toString() + ' path:' + req.url);
      const head = text.length < 126 ? Buffer.from([0x81, text.length]) : Buffer.from([0x81, 126, text.length >> 8, text.length & 255]);
      socket.write(Buffer.concat([head, text]));
    }
  });
  socket.on('error', () => {});
  socket.on('end', () => socket.end());
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1');
`;

/** Starts the app on `port` in the sandbox and waits until it listens. */
export async function startApp(stack: Stack, id: string, port = 8080): Promise<void> {
  await exec(stack, id, `cat > /tmp/app.js <<'JS'\n${APP_JS}\nJS`);
  const session = `app-${port}`;
  await stack.api('POST', `/toolbox/${id}/process/session`, { sessionId: session });
  await stack.api('POST', `/toolbox/${id}/process/session/${session}/exec`, {
    command: `node /tmp/app.js ${port}`,
    runAsync: true,
  });
  for (let i = 0; i < 100; i++) {
    const r = await exec(stack, id, `curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:${port}/`);
    if (r.result.trim() === '200') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the test app did not start on port ${port}`);
}

/** A started sandbox with the app on 8080. */
export async function appSandbox(stack: Stack, body: Record<string, unknown> = {}): Promise<string> {
  const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0, ...body });
  await startApp(stack, s.id);
  return s.id;
}
