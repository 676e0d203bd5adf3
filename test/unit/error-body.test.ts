// Error answers from another process (daemon, server) rebuilt as AppErrors by
// the one reader every client uses (common/error-body.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { errorFromText, readErrorBody } from '../../common/error-body.js';

describe('error bodies', () => {
  it('keeps the code, message, hint and reason of a JSON error body', async () => {
    const body = JSON.stringify({ code: 'conflict', message: 'busy', hint: 'retry later', reason: 'BUSY' });
    const e = await readErrorBody(Readable.from([Buffer.from(body)]), 409, 'daemon');
    assert.deepEqual(e.toJSON(), { code: 'conflict', message: 'busy', hint: 'retry later', reason: 'BUSY' });
  });

  it('takes the code of a plain-text answer from its status, and the text as its message', async () => {
    const e = await readErrorBody(Readable.from([Buffer.from('no such route')]), 404, 'daemon');
    assert.equal(e.code, 'not_found');
    assert.equal(e.message, 'no such route');
    assert.equal(errorFromText('', 503, 'server').message, 'server answered 503');
    assert.equal(errorFromText('{}', 503, 'server').code, 'unavailable');
  });

  it('reports what arrived when the stream breaks, and releases the stream', async () => {
    const s = new PassThrough();
    s.write(Buffer.from('{"code":"unavailable","message":"half'));
    setImmediate(() => s.destroy(new Error('reset')));
    const e = await readErrorBody(s, 503, 'daemon');
    assert.equal(e.code, 'unavailable');
    assert.match(e.message, /half/);
    assert.ok(s.destroyed);
  });

  it('stops reading a runaway body at 1 MiB', async () => {
    const big = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield Buffer.alloc(64 << 10, 0x61);
      })(),
    );
    const e = await readErrorBody(big, 500, 'daemon');
    assert.ok(e.message.length <= 1 << 20);
    assert.ok(big.destroyed);
  });
});
