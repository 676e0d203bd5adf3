// GET /metrics as Prometheus scrapes it: who may read it, and what an
// operator sees after real traffic — HTTP requests by route pattern (never
// the raw path), sandboxes by state, operation latencies, pool, daemon
// links, capacity, reconciler lag, rate-limit and auth-failure counters.
// Each server has its own registry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSandbox, exec, readyNetns, startStack, type Stack } from '../helpers/stack.js';
import { otherOrganizationKey } from '../helpers/other-org.js';

const TOKEN = `metrics-${randomBytes(12).toString('hex')}`;

async function scrape(stack: Stack, key: string | null = TOKEN) {
  const r = await fetch(`${stack.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

/** The value of the sample `name` whose labels include `labels` (undefined: no such sample). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[4]);
  }
  return undefined;
}

describe('metrics', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ config: { metricsToken: TOKEN } });
  });
  after(async () => stack?.close());

  it('are served to the metrics token and to administrators only', async () => {
    const anonymous = await scrape(stack, null);
    assert.equal(anonymous.status, 401);
    assert.equal(JSON.parse(anonymous.text).code, 'unauthorized');
    assert.equal((await scrape(stack, `metrics-${randomBytes(12).toString('hex')}`)).status, 401, 'a wrong token');
    const member = await scrape(stack, await otherOrganizationKey(stack));
    assert.equal(member.status, 403, 'an organization owner who is no Berth administrator');
    assert.match(JSON.parse(member.text).hint, /BERTH_METRICS_TOKEN/);
    const admin = await scrape(stack, stack.key);
    assert.equal(admin.status, 200);
    assert.match(admin.type, /^text\/plain; version=0\.0\.4/);
    assert.equal((await scrape(stack)).status, 200);
  });

  it('show what happened: requests by route, sandboxes by state, operation latencies, runner gauges', async () => {
    await readyNetns(stack, 1);
    const sb = await createSandbox(stack, { cpu: 0.5, memory: 0.5, disk: 1 });
    assert.equal((await exec(stack, sb.id, 'echo hi')).result, 'hi\n');
    assert.equal((await stack.api('GET', `/sandbox/${sb.id}`)).status, 200);
    assert.equal((await stack.api('GET', '/no-such-route')).status, 404);
    const wrong = `berth_${randomBytes(20).toString('hex')}`;
    assert.equal((await stack.api('GET', '/sandbox', undefined, { key: wrong })).status, 401);
    await fetch(`${stack.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal((await fetch(`${stack.url}/`)).status, 200);

    const { text } = await scrape(stack);
    const requests = (labels: Record<string, string>) => sample(text, 'berth_http_requests_total', labels);
    const operations = (t: string, operation: string) =>
      sample(t, 'berth_sandbox_operation_duration_seconds_count', { operation, outcome: 'success' });
    assert.ok(!text.includes(sb.id), 'no raw path (or id) becomes a label');
    assert.equal(requests({ method: 'GET', route: '/api/sandbox/:idOrName', status: '200' }), 1);
    assert.equal(requests({ method: 'POST', route: '/api/sandbox', status: '200' }), 1);
    assert.equal(requests({ method: 'POST', route: '/toolbox/:sandboxId/process/execute', status: '200' }), 1);
    assert.equal(requests({ method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.equal(requests({ method: 'POST', route: '/mcp' }), 1);
    assert.equal(requests({ method: 'GET', route: 'webui', status: '200' }), 1);
    const creating = sample(text, 'berth_http_request_duration_seconds_count', { route: '/api/sandbox' });
    assert.ok(creating! >= 1);
    assert.equal(sample(text, 'berth_sandboxes', { state: 'started' }), 1);
    assert.equal(operations(text, 'create'), 1);
    assert.equal(operations(text, 'exec'), 1);
    assert.equal(sample(text, 'berth_auth_failures_total', { frontend: 'rest' }), 1);
    const runner = { runner: stack.runnerId };
    assert.equal(sample(text, 'berth_daemon_links_up', runner), 1);
    assert.equal(sample(text, 'berth_netns_pool_target', runner), 1);
    assert.ok(sample(text, 'berth_netns_pool_ready', runner)! >= 0);
    assert.ok(sample(text, 'berth_runner_capacity_cpu_cores', runner)! >= 1);
    assert.ok(sample(text, 'berth_runner_capacity_memory_bytes', runner)! > 1e8);
    assert.equal(sample(text, 'berth_runner_allocated_cpu_cores', runner), 0.5);
    assert.equal(sample(text, 'berth_runner_allocated_memory_bytes', runner), 0.5 * 1024 ** 3);
    assert.equal(sample(text, 'berth_reconciler_lag_seconds'), 0);

    assert.equal((await stack.api('POST', `/sandbox/${sb.id}/stop`)).status, 200);
    const stopped = (await scrape(stack)).text;
    assert.equal(operations(stopped, 'stop'), 1);
    assert.equal(sample(stopped, 'berth_sandboxes', { state: 'stopped' }), 1);
    assert.equal(sample(stopped, 'berth_sandboxes', { state: 'started' }), undefined, 'states nobody is in are gone');
    assert.equal(sample(stopped, 'berth_daemon_links_up', runner), 0);
    await stack.api('DELETE', `/sandbox/${sb.id}`);
  });

  it('count rate-limit refusals by limit', async () => {
    const small = await startStack({ config: { metricsToken: TOKEN, rateLimitAnonymous: 1 } });
    try {
      await fetch(`${small.apiUrl}/config`);
      assert.equal((await fetch(`${small.apiUrl}/config`)).status, 429);
      const { text } = await scrape(small);
      assert.equal(sample(text, 'berth_rate_limited_total', { kind: 'anonymous' }), 1);
      // A registry per server: the first server's traffic is not here.
      const creates = sample(text, 'berth_sandbox_operation_duration_seconds_count', { operation: 'create' });
      assert.equal(creates, undefined);
    } finally {
      await small.close();
    }
  });
});
