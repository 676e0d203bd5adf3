// Usage per UTC day (GET /api/usage/daily) from real lifecycle transitions,
// on SQLite and on PostgreSQL: time is a manual clock, so the minutes are
// exact and a run crosses midnight without waiting for it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../common/clock.js';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { otherOrganizationKey } from '../helpers/other-org.js';

const DAY = 86_400_000;

describe('usage per day', () => {
  let stack: Stack;
  // 23:00 UTC: the first two hours of usage fall on two days.
  const t0 = Math.floor(Date.now() / DAY) * DAY + 23 * 3_600_000;
  const clock = new ManualClock(t0);
  const day1 = new Date(t0).toISOString().slice(0, 10);
  const day2 = new Date(t0 + DAY).toISOString().slice(0, 10);
  let a: { id: string };

  interface Day {
    date: string;
    cpuMinutes: number;
    memoryGiBMinutes: number;
    diskGiBMinutes: number;
    sandboxes: number;
    runningSandboxes: number;
  }
  const daily = async (days?: number, key?: string) => {
    const path = `/usage/daily${days === undefined ? '' : `?days=${days}`}`;
    const r = await stack.api('GET', path, undefined, key ? { key } : {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { organizationId: string; from: string; to: string; days: Day[] };
  };
  const on = (r: { days: Day[] }, date: string) => r.days.find((d) => d.date === date)!;
  const day = (date: string, cpu: number, mem: number, disk: number, sandboxes: number, running: number): Day => ({
    date,
    cpuMinutes: cpu,
    memoryGiBMinutes: mem,
    diskGiBMinutes: disk,
    sandboxes,
    runningSandboxes: running,
  });

  before(async () => {
    stack = await startStack({ clock });
  });
  after(async () => stack?.close());

  it('splits a run across midnight UTC at the rates it ran with', async () => {
    a = await createSandbox(stack, { name: 'daily-a', cpu: 1, memory: 1, disk: 3, autoStopInterval: 0 });
    await clock.advanceMinutes(120);
    assert.equal((await stack.api('POST', `/sandbox/${a.id}/stop`)).status, 200);
    const r = await daily(2);
    assert.equal(r.organizationId, stack.organizationId);
    assert.deepEqual([r.from, r.to], [day1, day2]);
    assert.deepEqual(r.days, [day(day1, 60, 60, 180, 1, 1), day(day2, 60, 60, 180, 1, 1)]);
  });

  it('charges a stopped sandbox its disk until now, counting it once a day', async () => {
    await clock.advanceMinutes(60);
    const d2 = on(await daily(2), day2);
    assert.deepEqual(d2, day(day2, 60, 60, 360, 1, 1));
  });

  it('adds a sandbox running now, with the time since its start', async () => {
    await createSandbox(stack, { name: 'daily-b', cpu: 2, memory: 1, disk: 1, autoStopInterval: 0 });
    await clock.advanceMinutes(30);
    const r = await daily(2);
    assert.deepEqual(on(r, day2), day(day2, 60 + 60, 60 + 30, 360 + 90 + 30, 2, 2));
    // Oldest first, every day of the range present (zeros included), days=1 is today only.
    assert.deepEqual(
      (await daily(1)).days.map((d) => d.date),
      [day2],
    );
    const month = await daily();
    assert.equal(month.days.length, 30);
    assert.equal(month.days.at(-1)!.date, day2);
    assert.deepEqual(month.days[0], day(new Date(t0 + DAY - 29 * DAY).toISOString().slice(0, 10), 0, 0, 0, 0, 0));
  });

  it('adds up to the per-sandbox totals of GET /api/usage', async () => {
    const per = (await stack.api('GET', '/usage')).body;
    const days = (await daily(2)).days;
    for (const k of ['cpuMinutes', 'memoryGiBMinutes', 'diskGiBMinutes'] as const) {
      assert.equal(
        days.reduce((n, d) => n + d[k], 0),
        per.totals[k],
        k,
      );
    }
  });

  it('shows another organization none of it, and refuses a bad range with a hint', async () => {
    const other = await otherOrganizationKey(stack);
    const r = await daily(2, other);
    assert.ok(
      r.days.every((d) => d.cpuMinutes === 0 && d.sandboxes === 0),
      JSON.stringify(r.days),
    );
    for (const bad of ['0', '367', '1.5', 'week']) {
      const res = await stack.api('GET', `/usage/daily?days=${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.code, 'invalid_argument');
      assert.match(res.body.message, /days/);
      assert.match(res.body.hint, /\?days=30/);
    }
    const byOrg = await stack.api('GET', `/organizations/${stack.organizationId}/usage/daily?days=2`);
    assert.equal(byOrg.body.days.length, 2);
  });
});
