// An agent fanning out (a test matrix, 50 parallel attempts) is an ordinary
// load: with the default limits, 50 parallel creates from one organization
// all succeed. The concurrent-sandbox quota, not the create rate limit, is
// what bounds an organization. Runs alone (scripts/test.mjs): it loads the host.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../helpers/stack.js';
import { sleep } from './helpers.js';

const FAN_OUT = 50;
const SMALL = { cpu: 0.5, memory: 0.5, disk: 1 };

describe('agent fan-out with the default limits', () => {
  let stack: Stack;
  const ids: string[] = [];
  // The server's defaults: no rate-limit setting is passed.
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await Promise.all(ids.map((id) => stack.api('DELETE', `/sandbox/${id}`).catch(() => undefined)));
    await stack?.close();
  });

  it(`creates ${FAN_OUT} sandboxes in parallel from one organization, none refused`, async () => {
    const create = (i: number) => stack.api('POST', '/sandbox', { ...SMALL, labels: { matrix: String(i) } });
    const answers = await Promise.all(Array.from({ length: FAN_OUT }, (_, i) => create(i)));
    for (const r of answers) if (r.body?.id) ids.push(r.body.id);
    const refused = answers.filter((r) => r.status !== 200);
    const why = refused.map((r) => `${r.status} ${r.body?.code}: ${r.body?.message}`);
    assert.deepEqual(why, [], 'every create is accepted');
    // A create answers once started, or after BERTH_REQUEST_WAIT_SECONDS on a busy host: wait for the stragglers.
    for (let i = 0; i < 120; i++) {
      const stateOf = async (id: string) => (await stack.api('GET', `/sandbox/${id}`)).body.state as string;
      const states = await Promise.all(ids.map(stateOf));
      if (states.every((s) => s === 'started')) break;
      assert.ok(!states.includes('error'), `a sandbox failed: ${states.join(',')}`);
      await sleep(1000);
    }
    const list = (await stack.api('GET', '/sandbox?limit=200')).body.items as { state: string }[];
    assert.equal(list.filter((s) => s.state === 'started').length, FAN_OUT);
  });

  it('deletes them all in parallel, none refused', async () => {
    const answers = await Promise.all(ids.map((id) => stack.api('DELETE', `/sandbox/${id}`)));
    assert.deepEqual(
      answers.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body?.code}`),
      [],
    );
    ids.length = 0;
    assert.equal((await stack.api('GET', '/sandbox')).body.items.length, 0);
  });
});
