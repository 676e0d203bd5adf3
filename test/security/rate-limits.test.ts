// Rate limits: anonymous per address, authenticated per key, failed
// authentications per address (brute force), creates and lifecycle actions
// per organization; 429 with Retry-After and X-RateLimit-* headers. Time is a
// manual clock, so a window never ends in the middle of a test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { as, denied } from './helpers.js';
import type { Json } from '../helpers/json.js';

describe('rate limits', () => {
  let stack: Stack;
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  before(async () => {
    stack = await startStack({
      clock,
      config: {
        rateLimitAnonymous: 3,
        rateLimitAuthenticated: 8,
        rateLimitFailedAuth: 5,
        rateLimitCreate: 2,
        rateLimitLifecycle: 2,
        rateLimitWindowSeconds: 60,
      },
    });
  });
  after(async () => stack?.close());

  const limited = (r: { status: number; body: Json; headers: Headers }, what: string) => {
    denied(r, 429, 'rate_limited', what);
    assert.equal(r.headers.get('retry-after'), '60', what);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0', what);
    assert.ok(r.headers.get('x-ratelimit-limit'), what);
  };

  it('limits requests without credentials per address', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await as(stack, null)('GET', '/config')).status, 200);
    limited(await as(stack, null)('GET', '/config'), 'fourth anonymous request');
    // A made-up key on a public route is still anonymous.
    limited(await as(stack, 'berth_made_up_but_long_enough')('GET', '/config'), 'a made-up key on a public route');
    await clock.advance(60_000);
    assert.equal((await as(stack, null)('GET', '/config')).status, 200, 'the next window starts afresh');
  });

  it('limits requests per key, with the budget in X-RateLimit-* headers', async () => {
    await clock.advance(60_000);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await as(stack, stack.key)('GET', '/sandbox');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-ratelimit-limit'), '8');
      seen.push(Number(r.headers.get('x-ratelimit-remaining')));
    }
    assert.deepEqual(seen, [7, 6, 5, 4, 3, 2, 1, 0]);
    limited(await as(stack, stack.key)('GET', '/sandbox'), 'ninth keyed request');
  });

  it('limits sandbox creates and lifecycle actions per organization', async () => {
    await clock.advance(60_000);
    // Refused later (unknown image), but each counts as a create.
    denied(
      await as(stack, stack.key)('POST', '/sandbox', { image: 'nope/nothing:1' }),
      400,
      'invalid_argument',
      'create 1',
    );
    denied(
      await as(stack, stack.key)('POST', '/sandbox', { image: 'nope/nothing:1' }),
      400,
      'invalid_argument',
      'create 2',
    );
    limited(await as(stack, stack.key)('POST', '/sandbox', { image: 'nope/nothing:1' }), 'third create');
    denied(await as(stack, stack.key)('POST', '/sandbox/nope/start'), 404, 'not_found', 'lifecycle 1');
    denied(await as(stack, stack.key)('POST', '/sandbox/nope/stop'), 404, 'not_found', 'lifecycle 2');
    limited(await as(stack, stack.key)('DELETE', '/sandbox/nope'), 'third lifecycle action');
  });

  it('refuses wrong keys from an address after 5 failed authentications until the window ends; valid keys still work', async () => {
    await clock.advance(60_000);
    for (let i = 0; i < 5; i++)
      denied(
        await as(stack, `berth_guess_${i}_${'x'.repeat(30)}`)('GET', '/sandbox'),
        401,
        'unauthorized',
        `guess ${i}`,
      );
    const sixth = await as(stack, 'berth_guess_6_xxxxxxxxxxxxxxxxxxxxxxxxx')('GET', '/sandbox');
    limited(sixth, 'sixth guess');
    assert.match(sixth.body.hint, /BERTH_RATE_LIMIT_FAILED_AUTH/);
    assert.equal((await as(stack, stack.key)('GET', '/sandbox')).status, 200, 'a valid key from the same address');
    limited(
      await as(stack, 'berth_guess_7_xxxxxxxxxxxxxxxxxxxxxxxxx')('GET', '/sandbox'),
      'a wrong key after the valid one',
    );
    await clock.advance(60_000);
    denied(
      await as(stack, 'berth_guess_8_xxxxxxxxxxxxxxxxxxxxxxxxx')('GET', '/sandbox'),
      401,
      'unauthorized',
      'the next window starts afresh',
    );
  });

  it('names the setting that raises a limit in the 429', async () => {
    await clock.advance(60_000);
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await as(stack, stack.key)('POST', '/sandbox', { image: 'nope/nothing:1' }));
    const r = answers[2]!;
    limited(r, 'third create');
    assert.match(r.body.message, /sandbox creations in this organization/);
    assert.match(r.body.hint, /BERTH_RATE_LIMIT_CREATE/);
    assert.equal(r.body.details.setting, 'BERTH_RATE_LIMIT_CREATE');
  });
});
