// Helpers of the toolbox WebSocket layer: frame codec, end-of-run marker
// scanning, subprotocol selection, PTY exit reporting, and the ping deadline
// (on a real WebSocket pair).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { binaryFrame, clampReason, closeFrame, FrameDecoder, textFrame } from '../../common/wire/frames.js';
import { ptyExit } from '../../common/wire/pty.js';
import { MarkerScanner } from '../../daemon/interpreter/marker.js';
import { offeredProtocols, ptyEnvs, selectProtocol } from '../../http/ws/protocols.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import { keepAlive, sendableCloseCode } from '../../http/ws/bridge.js';

describe('frame codec', () => {
  it('round-trips text, binary and close frames split at every byte', () => {
    const wire = Buffer.concat([
      textFrame('héllo'),
      binaryFrame(Buffer.from([0, 1, 2, 255])),
      textFrame(''),
      closeFrame(4008, 'timed out'),
    ]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      assert.deepEqual(frames, [
        { kind: 'text', data: 'héllo' },
        { kind: 'binary', data: Buffer.from([0, 1, 2, 255]) },
        { kind: 'text', data: '' },
        { kind: 'close', code: 4008, reason: 'timed out' },
      ]);
      assert.equal(d.buffered, 0);
    }
  });

  it('decodes byte by byte and rejects unknown kinds and oversized frames', () => {
    const d = new FrameDecoder();
    const out = [];
    for (const b of textFrame('abc')) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(out, [{ kind: 'text', data: 'abc' }]);
    assert.throws(() => new FrameDecoder().push(Buffer.from([9, 0, 0, 0, 0])), /unknown frame kind/);
    assert.throws(() => new FrameDecoder().push(Buffer.from([1, 0xff, 0xff, 0xff, 0xff])), /exceeds/);
  });

  it('clamps close reasons to 123 bytes without splitting characters', () => {
    const r = clampReason('✓'.repeat(100));
    assert.ok(Buffer.byteLength(r) <= 123);
    assert.equal(r, '✓'.repeat(41));
    const [f] = new FrameDecoder().push(closeFrame(1000, 'x'.repeat(500)));
    assert.equal(f?.kind === 'close' && f.reason.length, 123);
  });
});

describe('end-of-run marker', () => {
  const marker = Buffer.from('\0END-abc\0');

  it('passes output through and stops at the marker, whatever the chunking', () => {
    const stream = Buffer.concat([
      Buffer.from('line one\nEN'),
      Buffer.from('\0END-ab'),
      Buffer.from('two\n'),
      marker,
      Buffer.from('late'),
    ]);
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b += 3) {
        const s = new MarkerScanner(marker);
        const out = Buffer.concat([
          s.push(stream.subarray(0, a)),
          s.push(stream.subarray(a, b)),
          s.push(stream.subarray(b)),
        ]);
        assert.equal(out.toString(), 'line one\nEN\0END-abtwo\n');
        assert.equal(s.done, true);
      }
    }
  });

  it('holds back only a possible marker prefix', () => {
    const s = new MarkerScanner(marker);
    assert.equal(s.push(Buffer.from('abc\0EN')).toString(), 'abc');
    assert.equal(s.push(Buffer.from('X')).toString(), '\0ENX');
    assert.equal(s.done, false);
    assert.equal(s.push(marker).length, 0);
    assert.equal(s.push(Buffer.from('after')).length, 0);
  });
});

describe('subprotocols', () => {
  it('parses the offered list', () => {
    assert.deepEqual(offeredProtocols(' a, b ,c'), ['a', 'b', 'c']);
    assert.deepEqual(offeredProtocols(undefined), []);
    assert.deepEqual(offeredProtocols(['a', 'b, c']), ['a', 'b', 'c']);
  });

  it('selects one offered token, preferring the listed ones, and none when none was offered', () => {
    const prefer = ['X-Daytona-Pty-Exit-Control', 'X-Daytona-SDK-Version~'];
    assert.equal(selectProtocol([], prefer), undefined);
    assert.equal(
      selectProtocol(['X-Daytona-Pty-Envs~e30', 'X-Daytona-Pty-Exit-Control'], prefer),
      'X-Daytona-Pty-Exit-Control',
    );
    assert.equal(
      selectProtocol(['X-Daytona-SDK-Version~0.218.0', 'X-Daytona-Pty-Envs~e30'], prefer),
      'X-Daytona-SDK-Version~0.218.0',
    );
    assert.equal(selectProtocol(['X-Daytona-Pty-Envs~e30', 'other'], prefer), 'other');
    assert.equal(selectProtocol(['X-Daytona-Pty-Envs~e30'], prefer), 'X-Daytona-Pty-Envs~e30');
  });

  it('decodes PTY envs and rejects bad tokens', () => {
    const token = (v: string) => `X-Daytona-Pty-Envs~${Buffer.from(v).toString('base64url')}`;
    assert.deepEqual(ptyEnvs([token('{"A":"1","B_2":"x y"}'), 'X-Daytona-Pty-Exit-Control']), { A: '1', B_2: 'x y' });
    assert.equal(ptyEnvs(['X-Daytona-Pty-Exit-Control']), undefined);
    assert.throws(() => ptyEnvs(['X-Daytona-Pty-Envs~%%%']), /base64url/);
    assert.throws(() => ptyEnvs([token('{"A":')]), /not JSON/);
    assert.throws(() => ptyEnvs([token('{"A":1}')]), /invalid/);
    assert.throws(() => ptyEnvs([token('{"1A":"x"}')]), /invalid/);
  });
});

describe('PTY exit reporting', () => {
  it('uses the reference reasons', () => {
    assert.deepEqual(ptyExit(0, 0), { exitCode: 0 });
    assert.deepEqual(ptyExit(3, undefined), { exitCode: 3, exitReason: 'non-zero exit' });
    assert.deepEqual(ptyExit(130, 0), { exitCode: 130, exitReason: 'Ctrl+C' });
    assert.deepEqual(ptyExit(0, 9), { exitCode: 137, exitReason: 'SIGKILL' });
    assert.deepEqual(ptyExit(0, 15), { exitCode: 143, exitReason: 'SIGTERM' });
    assert.deepEqual(ptyExit(0, 1), { exitCode: 129, exitReason: 'signal 1' });
  });

  it('only puts sendable codes in close frames', () => {
    for (const c of [1000, 1001, 1008, 1011, 3000, 4008, 4999]) assert.equal(sendableCloseCode(c), c);
    for (const c of [1004, 1005, 1006, 1015, 2000, 5000, 0]) assert.equal(sendableCloseCode(c), 1011);
  });
});

describe('ping deadline', () => {
  /** A server-side socket with pings every 40 ms, and the client connected to it. */
  async function pair(): Promise<{ server: WebSocket; client: WebSocket; close: () => Promise<void> }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const accepted = new Promise<WebSocket>((r) => wss.once('connection', r));
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    client.on('error', () => {});
    const server = await accepted;
    await new Promise((r) => client.once('open', r));
    const stop = keepAlive(server, 40);
    return {
      server,
      client,
      close: async () => {
        stop();
        client.terminate();
        await new Promise((r) => wss.close(r));
      },
    };
  }

  it('keeps a peer that answers, and one whose socket we hold paused ourselves', async () => {
    const p = await pair();
    await sleep(300);
    assert.equal(p.server.readyState, WebSocket.OPEN, 'answers its pings');
    // We stop reading it (as the bridge does while a command does not read its stdin): its pongs wait unread.
    p.server.pause();
    await sleep(400);
    assert.equal(p.server.readyState, WebSocket.OPEN, 'not dropped for pongs we did not read');
    p.server.resume();
    await sleep(300);
    assert.equal(p.server.readyState, WebSocket.OPEN);
    await p.close();
  });

  it('drops a peer that stops answering', async () => {
    const p = await pair();
    p.client.pause(); // reads nothing, so it answers no ping
    const closed = new Promise<number>((r) => p.server.once('close', r));
    assert.equal(await closed, 1006);
    await p.close();
  });
});
