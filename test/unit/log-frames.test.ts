// The §6.4 log framing split back into stdout and stderr, whatever the chunking.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LogDemuxer, STREAM_MARKS } from '../../common/wire/log-frames.js';

const framed = Buffer.concat([
  STREAM_MARKS[1],
  Buffer.from('out 1\n'),
  STREAM_MARKS[2],
  Buffer.from('err\n'),
  STREAM_MARKS[1],
  Buffer.from('out \u00e9\u0001\u0001x\n'),
]);

function split(chunks: Buffer[]): { out: string; err: string } {
  const got = { out: '', err: '' };
  const d = new LogDemuxer((s, data) => {
    if (s === 1) got.out += data.toString('latin1');
    else got.err += data.toString('latin1');
  });
  for (const c of chunks) d.push(c);
  d.end();
  return got;
}

describe('log frames', () => {
  it('splits stdout and stderr, with markers cut anywhere between chunks', () => {
    const whole = split([framed]);
    assert.equal(Buffer.from(whole.out, 'latin1').toString('utf8'), 'out 1\nout \u00e9\u0001\u0001x\n');
    assert.equal(whole.err, 'err\n');
    for (let cut = 1; cut < framed.length; cut++) {
      assert.deepEqual(split([framed.subarray(0, cut), framed.subarray(cut)]), whole, `cut at ${cut}`);
    }
    assert.deepEqual(split([...framed].map((b) => Buffer.from([b]))), whole, 'one byte at a time');
  });

  it('gives back marker-like bytes held at the end', () => {
    assert.deepEqual(split([Buffer.from('a\u0002\u0002')]), { out: 'a\u0002\u0002', err: '' });
  });
});
