// The framed daemon channel over a real stream (a Duplex of two PassThroughs standing in
// for the daemon's HTTP/2 stream): what the daemon says before anyone listens still
// arrives, in order, and the close after it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { binaryFrame, closeFrame, textFrame } from '../../common/wire/frames.js';
import type { SandboxDaemon } from '../../common/wire/runner.js';
import { openChannel } from '../../orchestrator/toolbox/channel.js';

/** A daemon whose one route answers with `fromDaemon` (what the test writes) and reads `toDaemon`. */
async function channelOver() {
  const fromDaemon = new PassThrough();
  const toDaemon = new PassThrough();
  const stream = Duplex.from({ readable: fromDaemon, writable: toDaemon });
  const daemon = { open: async () => ({ status: 200, headers: {}, stream }) } as unknown as SandboxDaemon;
  const channel = await openChannel(daemon, '/process/pty/create-connect');
  return { channel, fromDaemon, stream };
}

/** Lets the stream read what was written (several turns: Duplex.from relays through its own buffers). */
async function settle() {
  for (let i = 0; i < 10; i++) await tick();
}

describe('daemon channel before anyone listens', () => {
  it('delivers messages written before the first handler, in order, and the ones after', async () => {
    const { channel, fromDaemon } = await channelOver();
    fromDaemon.write(Buffer.concat([textFrame('one'), binaryFrame(Buffer.from([1, 2])), textFrame('three')]));
    await settle();
    const got: (string | Buffer)[] = [];
    channel.onMessage((m) => got.push(m));
    fromDaemon.write(textFrame('four'));
    await settle();
    assert.deepEqual(got, ['one', Buffer.from([1, 2]), 'three', 'four']);
    channel.end();
  });

  it('holds the daemon back while nothing listens, then delivers everything in order', async () => {
    const { channel, fromDaemon } = await channelOver();
    const n = 2000;
    for (let i = 0; i < n; i++) fromDaemon.write(textFrame(`message ${i} `.padEnd(1024, '.')));
    await settle();
    // The frames wait in the stream's buffers (flow control reaches the daemon), not in a list of ours.
    assert.ok(fromDaemon.readableLength > 0, 'unread data stays in the stream while nothing listens');
    const got: string[] = [];
    channel.onMessage((m) => got.push(String(m).split(' ')[1]!));
    for (let i = 0; i < 50 && got.length < n; i++) await settle();
    assert.equal(got.length, n);
    assert.deepEqual(
      got,
      Array.from({ length: n }, (_, i) => String(i)),
    );
    channel.end();
  });

  it('a close sent before any handler is seen by a later onClose', async () => {
    const { channel, fromDaemon } = await channelOver();
    fromDaemon.write(closeFrame(4008, 'timed out'));
    await settle();
    const closes: [number, string][] = [];
    channel.onClose((code, reason) => closes.push([code, reason]));
    assert.deepEqual(closes, [[4008, 'timed out']]);
    channel.end();
    assert.deepEqual(closes, [[4008, 'timed out']], 'the close fires once');
  });

  it('a close behind waiting messages comes after them, even to an onClose registered first', async () => {
    const { channel, fromDaemon } = await channelOver();
    fromDaemon.write(Buffer.concat([textFrame('last words'), closeFrame(1000, 'done')]));
    fromDaemon.end();
    await settle();
    const events: string[] = [];
    channel.onClose((code, reason) => events.push(`close ${code} ${reason}`));
    assert.equal(events.length, 0, 'the close waits for the message before it');
    channel.onMessage((m) => events.push(`message ${String(m)}`));
    await settle();
    assert.deepEqual(events, ['message last words', 'close 1000 done']);
  });
});
