// Two replicas sharing PostgreSQL and Redis: a key revoked on one stops
// working on the other at once (and its open Socket.IO connection there
// ends), rate-limit counters are shared, and a quota holds when both take the
// last slot at the same moment. Runs when BERTH_TEST_REDIS_URL and
// BERTH_TEST_DATABASE_URL are set (npm test passes both in its postgres
// mode); starts nothing by itself.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { io as ioClient } from 'socket.io-client';
import { ManualClock } from '../../common/clock.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { as, denied, sleep } from './helpers.js';
import { skipUnless } from '../helpers/strict.js';

const ready = !!process.env.BERTH_TEST_REDIS_URL && !!process.env.BERTH_TEST_DATABASE_URL;

describe(
  'tenancy across replicas (Redis + PostgreSQL)',
  { skip: skipUnless(!ready && 'BERTH_TEST_REDIS_URL and BERTH_TEST_DATABASE_URL are not set') },
  () => {
    let a: Stack;
    let b: Stack;
    // A start time of its own: Redis windows of earlier runs cannot leak in.
    const clock = new ManualClock(Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e6) * 60_000);
    const config = { rateLimitAuthenticated: 6, rateLimitCreate: 100 };

    before(async () => {
      a = await startStack({ clock, config });
      b = await startStack({
        clock,
        config,
        reuse: { home: a.home, runnerId: a.runnerId, databaseUrl: a.databaseUrl, key: a.key },
      });
    });
    after(async () => {
      await b?.stop();
      await a?.close();
    });

    it('holds two Redis connections per replica: one for commands, one subscriber', async () => {
      const redis = new Redis(process.env.BERTH_TEST_REDIS_URL!);
      try {
        const list = String(await redis.client('LIST'));
        const names = [...list.matchAll(/ name=(\S+)/g)]
          .map((m) => m[1]!)
          .filter((n) => n.startsWith(`berth:${a.runnerId}:`));
        assert.deepEqual(names.sort(), [
          ...Array(2).fill(`berth:${a.runnerId}:commands`),
          ...Array(2).fill(`berth:${a.runnerId}:subscriber`),
        ]);
      } finally {
        redis.disconnect();
      }
    });

    it('revokes a key on every replica at once, ending its open connections', async () => {
      await clock.advance(60_000);
      const k = (await as(a, a.key)('POST', '/api-keys', { name: 'roaming', permissions: ['write:sandboxes'] })).body
        .value as string;
      assert.equal((await as(b, k)('GET', '/sandbox')).status, 200);
      const socket = ioClient(b.url, {
        path: '/api/socket.io/',
        transports: ['websocket'],
        auth: { token: k },
        reconnection: false,
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const ended = new Promise<number>((resolve) => socket.once('disconnect', () => resolve(Date.now())));
      const t0 = Date.now();
      assert.equal((await as(a, a.key)('DELETE', '/api-keys/roaming')).status, 204);
      // b verified the key a moment ago and remembers it; the revocation reaches it on the bus (at most 1 s).
      let r = await as(b, k)('GET', '/sandbox');
      while (r.status === 200 && Date.now() - t0 < 1000) r = await as(b, k)('GET', '/sandbox');
      denied(r, 401, 'unauthorized', 'revoked key on the other replica');
      assert.ok(Date.now() - t0 < 1000, 'refused on the other replica within a second');
      const at = await Promise.race([ended, sleep(1000).then(() => 0)]);
      assert.ok(at > 0 && at - t0 < 1000, 'the Socket.IO connection on the other replica ended within a second');
      socket.close();
    });

    it('shares rate-limit counters between replicas', async () => {
      await clock.advance(60_000);
      const k = (await as(a, a.key)('POST', '/api-keys', { name: 'counted', permissions: [] })).body.value as string;
      for (let i = 0; i < 3; i++) {
        assert.equal((await as(a, k)('GET', '/sandbox')).status, 200);
        assert.equal((await as(b, k)('GET', '/sandbox')).status, 200);
      }
      denied(await as(a, k)('GET', '/sandbox'), 429, 'rate_limited', 'seventh request, on either replica');
      denied(await as(b, k)('GET', '/sandbox'), 429, 'rate_limited', 'seventh request, on either replica');
    });

    it('lets exactly one of two replicas take the last sandbox slot', async () => {
      await clock.advance(60_000);
      const org = (await as(a, a.key)('GET', '/api-keys/current')).body.organizationId;
      await as(a, a.key)('PUT', `/organizations/${org}/quotas`, { sandboxes: 1 });
      const body = { cpu: 1, memory: 1, disk: 1 };
      const [x, y] = await Promise.all([
        as(a, a.key)('POST', '/sandbox', body),
        as(b, a.key)('POST', '/sandbox', body),
      ]);
      const statuses = [x.status, y.status].sort();
      assert.deepEqual(statuses, [200, 403], `${JSON.stringify(x.body)} ${JSON.stringify(y.body)}`);
      const won = x.status === 200 ? x.body : y.body;
      assert.equal((await as(a, a.key)('GET', '/sandbox')).body.items.length, 1);
      await as(a, a.key)('DELETE', `/sandbox/${won.id}`);
    });
  },
);
