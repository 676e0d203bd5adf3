// Every mutating route, walked from the routers themselves (app.listRoutes(),
// as the cross-organization test does), so a route added later is walked
// without editing this file. For each POST/PUT/PATCH/DELETE of the control API
// and the toolbox:
//  (a) a key of the same organization holding no permission is refused with
//      403 and a machine-readable code, the refusal is in the audit log, and
//      nothing changed;
//  (b) a call with every permission, against real fixtures, writes an audit
//      row naming the action, the target and the outcome (a call that fails
//      for a fixture's reason is still recorded, as a failure).
// Every such route is walked; one that needs no permission or writes no row
// is listed below with the reason, and a listed route that no longer exists
// fails the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from '../helpers/stack.js';
import { openApiPath } from '../../http/openapi.js';
import { systemPrincipal } from '../../orchestrator/principal.js';
import { docker } from '../helpers/docker.js';
import { as, sleep } from './helpers.js';
import {
  bodies,
  FIXED,
  makeFixtures,
  QUERIES,
  RAW,
  REPO,
  SNAPSHOT_REPO,
  type Fixtures,
} from './audit-walk-fixtures.js';
import type { Json } from '../helpers/json.js';

const MUTATING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Routes any member may call without a permission: their own credentials and memberships. */
const NO_PERMISSION: Record<string, string> = {
  'POST /api/ui/session': 'signing in (no credential yet)',
  'DELETE /api/ui/session': "signing out ends the caller's own web session",
  'POST /api/invitations/accept': 'the invitation token is the credential',
  'POST /api/organizations': 'anyone may found an organization (capped by BERTH_MAX_ORGANIZATIONS_PER_USER)',
  'POST /api/organizations/invitations/:invitationId/accept': "the invitee's own answer to an invitation",
  'POST /api/organizations/invitations/:invitationId/decline': "the invitee's own answer to an invitation",
  'POST /api/organizations/:id/leave': "leaving is the member's own choice",
  'POST /api/users/me/ssh-keys': "the caller's own SSH keys (they log in as themselves)",
  'DELETE /api/users/me/ssh-keys/:key': "the caller's own SSH keys",
  'POST /api/api-keys': 'a key is created with at most the permissions of its creator',
  'DELETE /api/api-keys/:name': "revoking one's own key only narrows access",
  'POST /toolbox/:sandboxId/files/bulk-download': 'a read sent as POST (a list of paths in the body)',
  'POST /api/sandbox/:id/last-activity': 'marks activity (resets idle timers), as every read through the toolbox does',
  'POST /toolbox/:sandboxId/computeruse{/*rest}': 'not implemented: 501 for every caller, nothing runs',
  'DELETE /toolbox/:sandboxId/computeruse{/*rest}': 'not implemented: 501 for every caller, nothing runs',
};

/** Routes that write no audit row of their own. */
const NOT_AUDITED: Record<string, string> = {
  'POST /toolbox/:sandboxId/files/bulk-download': 'a read',
  'POST /api/sandbox/:id/last-activity': 'activity is not an action: every read through the toolbox marks it too',
  'POST /toolbox/:sandboxId/computeruse{/*rest}': 'not implemented: nothing is attempted',
  'DELETE /toolbox/:sandboxId/computeruse{/*rest}': 'not implemented: nothing is attempted',
};

type Route = { method: string; path: string };
const keyOf = (r: Route) => `${r.method} ${r.path}`;

/** Destructive calls run last, in an order that keeps what later calls need. */
const LAST = [
  'DELETE /api/api-keys/:userId/:name',
  'POST /api/organizations/:id/leave',
  'DELETE /api/organizations/:id',
  'DELETE /api/organizations/:id/users/:userId',
  'DELETE /api/sandbox/:id',
  'DELETE /api/ui/session',
];
/** A sandbox's lifecycle, after everything that needs it started. */
const LIFECYCLE = [
  'POST /api/sandbox/:id/pause',
  'POST /api/sandbox/:id/start',
  'POST /api/sandbox/:id/recover',
  'POST /api/sandbox/:id/stop',
  'POST /api/sandbox/:id/archive',
];
const rank = (r: Route) => {
  const i = LAST.indexOf(keyOf(r));
  if (i >= 0) return 100 + i;
  const l = LIFECYCLE.indexOf(keyOf(r));
  if (l >= 0) return 40 + l;
  if (r.path.startsWith('/toolbox/'))
    return r.method === 'DELETE' || keyOf(r) === 'POST /toolbox/:sandboxId/lsp/stop' ? 5 : 0;
  return r.method === 'DELETE' ? 50 : 10;
};

describe('audit and permissions on every mutating route', () => {
  let stack: Stack;
  let readOnly: string;
  let fx: Fixtures;
  let examples: Map<string, unknown>;
  let routes: Route[];

  before(async () => {
    stack = await startStack({ ssh: true });
    ({ fx, readOnly } = await makeFixtures(stack));
    const owner = as(stack, stack.key);
    const doc = (await owner('GET', '/openapi.json')).body;
    examples = new Map();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>))
      for (const [m2, op] of Object.entries(ops)) {
        const ex = op?.requestBody?.content?.['application/json']?.example;
        if (ex !== undefined) examples.set(`${m2.toUpperCase()} ${p}`, ex);
      }
    routes = stack.server.app
      .listRoutes()
      .flatMap((r) => r.methods.filter((m2) => MUTATING.includes(m2)).map((method) => ({ method, path: r.path })));
  });
  after(async () => {
    if (stack) {
      // What the walk made that outlives its containers: committed snapshot and fork images go with their snapshots.
      const owner = as(stack, stack.key);
      for (const s of (await owner('GET', '/sandbox')).body.items ?? []) await owner('DELETE', `/sandbox/${s.id}`);
      for (let i = 0; i < 120 && ((await owner('GET', '/sandbox')).body.items ?? []).length; i++) await sleep(500);
      for (const s of (await owner('GET', '/snapshots?limit=200')).body.items ?? [])
        if (!s.general) await owner('DELETE', `/snapshots/${s.id}`);
      await stack.close();
    }
    await docker
      .getImage(`${SNAPSHOT_REPO}:latest`)
      .remove()
      .catch(() => {});
  });

  const param = (path: string, name: string): string => {
    if (path === '/api/organizations/invitations/:invitationId/accept') return fx.joined.invitationId;
    if (path === '/api/organizations/invitations/:invitationId/decline') return fx.declined.invitationId;
    if (path === '/api/organizations/:id/leave') return fx.joined.orgId;
    if (path === '/api/organizations/:id' && name === 'id') return fx.emptyOrgId;
    if (name === 'sandboxId') return fx.toolboxSandbox.id;
    if (path.startsWith('/api/runners/:id') && name === 'id') return fx.runnerId;
    if (path.startsWith('/api/sandbox/:id') && name === 'id') return fx.sandbox.id;
    if (path.startsWith('/api/snapshots/:id')) return fx.snapshot.id;
    if (name === 'volumeId') return fx.volume.id;
    if (path.startsWith('/api/secret/:id')) return fx.secret.id;
    if (path.startsWith('/api/docker-registry/:id')) return fx.registry.id;
    if (path.startsWith('/api/organizations/:id') && name === 'id') return fx.orgId;
    if (name === 'invitationId') return fx.invitationId;
    if (name === 'userId') return fx.member.userId;
    if (path === '/api/api-keys/:userId/:name') return fx.member.keyName;
    if (path.startsWith('/api/api-keys/') && name === 'name') return fx.keyName;
    if (name === 'key') return fx.sshKeyId;
    if (name === 'token') return fx.previewToken;
    if (path.includes('/process/pty/:id')) return 'term-1';
    if (path.includes('/process/interpreter/context/:id')) return fx.contextId;
    if (path.includes('/command/:cid') && name === 'sid') return fx.command.sessionId;
    if (name === 'cid') return fx.command.cmdId;
    return FIXED[name] ?? 'x';
  };
  const fill = (path: string) =>
    path
      .replace(/\{\/\*(\w+)\}/g, '/walk')
      .replace(/:([A-Za-z]+)/g, (_m, n: string) => encodeURIComponent(param(path, n)));
  const bodyOf = (r: Route) => {
    const own = bodies(fx)[keyOf(r)];
    if (own !== undefined) return own;
    const ex = examples.get(`${r.method} ${openApiPath(r.path)}`);
    // The documented examples name the SDK's default repository; ours is where the sandbox user may write.
    if (ex !== undefined) return JSON.parse(JSON.stringify(ex).split('/home/daytona/repo').join(REPO)) as unknown;
    return r.method === 'DELETE' ? undefined : {};
  };
  /** The web UI's session cookie: signing in (with `key`) sets it, signing out sends it instead of a key. */
  let cookie = '';
  const call = async (key: string, r: Route) => {
    const requestId = randomUUID();
    const q = QUERIES[keyOf(r)];
    const path = fill(r.path).replace(/^\/api/, '') + (q ? `?${q}` : '');
    const raw = RAW[keyOf(r)];
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (raw) headers['content-type'] = raw.contentType;
    if (r.path === '/api/ui/session') {
      // As the web UI does it: the CSRF header and this server's Origin, then the cookie alone.
      Object.assign(headers, { 'x-berth-csrf': '1', origin: stack.url }, cookie ? { cookie } : {});
      const body = r.method === 'POST' ? { apiKey: key } : undefined;
      const res = await as(stack, null)(r.method, path, body, headers);
      if (r.method === 'POST') cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      return { ...res, requestId };
    }
    const res = await as(stack, key)(r.method, path, raw ? raw.body : bodyOf(r), headers);
    return { ...res, requestId };
  };
  /** The audit entries of one request (the log is read with the owner's key; reads flush it). */
  const entriesOf = async (requestId: string, organizationId?: string, key = stack.key): Promise<Json[]> => {
    const org = organizationId ? { 'x-daytona-organization-id': organizationId } : undefined;
    const items: Json[] = [];
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const r = await as(stack, key)('GET', `/audit?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, undefined, org);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      items.push(...r.body.items.filter((e: Json) => e.requestId === requestId));
      if (items.length || !r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    return items;
  };

  /** The entries of one call, read from the log of the organization it acted in (as someone who may read it). */
  const logOf = async (r: Route, res: { requestId: string; status: number; body: Json }): Promise<Json[]> => {
    switch (keyOf(r)) {
      case 'POST /api/organizations': // the new organization's first entry
        return entriesOf(res.requestId, res.body?.id);
      case 'POST /api/organizations/invitations/:invitationId/accept':
      case 'POST /api/organizations/:id/leave': // after leaving, its owner reads it
        return entriesOf(res.requestId, fx.joined.orgId, fx.memberKey);
      case 'POST /api/organizations/invitations/:invitationId/decline':
        return entriesOf(res.requestId, fx.declined.orgId, fx.memberKey);
      case 'DELETE /api/organizations/:id':
        if (res.status < 300) {
          // Nobody can read a deleted organization's log through the API any more: read it as the server does.
          const { items } = await stack.server.orch.audit.list(systemPrincipal(fx.emptyOrgId), { limit: 1000 });
          return JSON.parse(JSON.stringify(items.filter((e) => e.requestId === res.requestId))) as Json[];
        }
        return entriesOf(res.requestId, fx.emptyOrgId);
      default:
        return entriesOf(res.requestId);
    }
  };

  /** What a read-only key could have changed: every list and the fixtures, with volatile times dropped. */
  const state = async () => {
    const owner = as(stack, stack.key);
    const reads = [
      '/sandbox',
      '/snapshots',
      '/volumes',
      '/secret',
      '/docker-registry',
      '/api-keys?all=true',
      '/organizations',
      `/organizations/${fx.orgId}/users`,
      `/organizations/${fx.orgId}/invitations`,
      `/organizations/${fx.orgId}/quotas`,
      `/organizations/${fx.orgId}/defaults`,
      '/users/me/ssh-keys',
      `/sandbox/${fx.sandbox.id}`,
      `/sandbox/${fx.toolboxSandbox.id}`,
    ];
    const out: Record<string, unknown> = {};
    for (const p of reads) out[p] = (await owner('GET', p)).body;
    const files = await owner('POST', `/toolbox/${fx.toolboxSandbox.id}/process/execute`, {
      command: 'ls -la /tmp /home; env | grep -c WALK || true',
    });
    out.files = files.body.result;
    return JSON.stringify(out, (k, v) => (/(At|Activity|Used|usage)$/i.test(k) ? undefined : v));
  };

  it('walks every mutating route or lists why not', () => {
    assert.ok(routes.length > 60, `only ${routes.length} mutating routes?`);
    const known = new Set(routes.map(keyOf));
    for (const k of [...Object.keys(NO_PERMISSION), ...Object.keys(NOT_AUDITED)])
      assert.ok(known.has(k), `${k} is listed as an exception but is no route (remove it from the list)`);
  });

  it('refuses a key without the permission on every mutating route, records it, and changes nothing', async () => {
    const before = await state();
    const failures: string[] = [];
    for (const r of routes) {
      if (NO_PERMISSION[keyOf(r)]) continue;
      const res = await call(readOnly, r);
      if (res.status !== 403 || typeof res.body?.code !== 'string' || !res.body.code) {
        failures.push(`${keyOf(r)}: ${res.status} ${String(JSON.stringify(res.body)).slice(0, 200)}`);
        continue;
      }
      if (NOT_AUDITED[keyOf(r)]) continue;
      const entries = await logOf(r, res);
      if (!entries.some((e) => e.outcome === 'denied' && e.action))
        failures.push(`${keyOf(r)}: refused but no denied audit entry (${JSON.stringify(entries)})`);
    }
    assert.deepEqual(failures, [], `routes a key without permissions got through:\n${failures.join('\n')}`);
    assert.equal(await state(), before, 'a refused call changed something');
  });

  it('records every mutating call with its action, target and outcome', async (t) => {
    const failures: string[] = [];
    const walked = [...routes].sort((a, b) => rank(a) - rank(b));
    for (const r of walked) {
      if (NOT_AUDITED[keyOf(r)]) continue;
      const res = await call(stack.key, r);
      if (res.status >= 400)
        t.diagnostic(`${keyOf(r)}: ${res.status} ${String(JSON.stringify(res.body)).slice(0, 300)}`);
      const entries = await logOf(r, res);
      const e = entries[0];
      if (!e) {
        failures.push(`${keyOf(r)}: ${res.status}, no audit entry`);
        continue;
      }
      const expected = res.status < 400 ? 'success' : res.status === 403 || res.status === 429 ? 'denied' : 'failure';
      if (!e.action || !e.targetType || e.outcome !== expected)
        failures.push(`${keyOf(r)}: ${res.status} but entry ${JSON.stringify(e)}`);
      if (res.status >= 400 && e.errorCode !== res.body?.code && !r.path.startsWith('/toolbox/'))
        failures.push(`${keyOf(r)}: answered ${res.body?.code} but recorded ${e.errorCode}`);
    }
    assert.deepEqual(failures, [], `mutating calls without a proper audit entry:\n${failures.join('\n')}`);
  });
});
