// Cross-organization access on every route. The routes come from the
// routers themselves (app.listRoutes()) and the WebSocket table (WS_ROUTES),
// so a route added later is covered without editing this file. For each one
// an attacker in another organization (holding every permission) calls it
// with the victim's real ids and with ids that do not exist: the two answers
// must be the same failure, byte for byte once the echoed id is swapped —
// "not found", never "forbidden", and nothing that tells them apart. Lists,
// Socket.IO events and MCP tools are checked the same way.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createSandbox, startStack, type Stack } from '../helpers/stack.js';
import { otherOrganizationKey } from '../helpers/other-org.js';
import { connectWs, UpgradeRejected } from '../helpers/ws.js';
import { connectHttp } from '../mcp/helpers.js';
import { WS_ROUTES } from '../../http/ws/routes.js';
import { as, sleep } from './helpers.js';
import type { Json } from '../helpers/json.js';

/** Path parameters that are not resources: a fixed valid value. */
const FIXED: Record<string, string> = {
  minutes: '5',
  port: '3000',
  isPublic: 'true',
  token: 'tok',
  sid: 'sess',
  sessionId: 'sess',
  cid: 'cmd',
  commandId: 'cmd',
};

/** Bodies that get past validation, so the lookup itself is exercised. */
const BODIES: Record<string, unknown> = {
  'POST /api/sandbox/:id/resize': { cpu: 1 },
  'POST /api/sandbox/:id/network-settings': { networkBlockAll: true },
  'PUT /api/sandbox/:id/labels': { labels: { owned: 'yes' } },
  'PUT /api/sandbox/:id/secrets': { secrets: [] },
  'POST /toolbox/:sandboxId/process/execute': { command: 'touch /tmp/pwned' },
  'POST /toolbox/:sandboxId/process/code-run': { code: 'print(1)', language: 'python' },
  'POST /toolbox/:sandboxId/files/bulk-download': { paths: ['/etc/hostname'] },
  'POST /toolbox/:sandboxId/process/session': { sessionId: 'sess' },
  'POST /toolbox/:sandboxId/git/clone': { url: 'https://example.invalid/x.git', path: '/tmp/x' },
  'POST /api/organizations/:id/invitations': { email: 'mallory@example.test' },
  'POST /api/organizations/:id/users/:userId/access': { role: 'member' },
  'PUT /api/organizations/:id/quotas': { sandboxes: 1000 },
  'PATCH /api/organizations/:id/quotas': { sandboxes: 1000 },
  'PATCH /api/secret/:id': { value: 'overwritten' },
  'PUT /api/organizations/:id/defaults': { networkBlockAll: false },
  'PUT /api/snapshots/:id/warm-pool': { size: 1 },
};

type Victim = {
  sandbox: Json;
  snapshot: Json;
  volume: Json;
  secret: Json;
  registry: Json;
  orgId: string;
  userId: string;
  keyName: string;
  invitationId: string;
};

describe('cross-organization access', () => {
  let stack: Stack;
  let attacker: string;
  let victim: Victim;
  let secretValue: string;

  before(async () => {
    stack = await startStack();
    attacker = await otherOrganizationKey(stack);
    const v = as(stack, stack.key);
    const sandbox = await createSandbox(stack, {
      cpu: 1,
      memory: 1,
      disk: 1,
      name: `victim-${randomUUID().slice(0, 8)}`,
      labels: { team: 'victim' },
    });
    const snapshot = (
      await v('POST', '/snapshots', {
        name: `victim-snap-${randomUUID().slice(0, 6)}`,
        imageName: 'berth/sandbox-base:latest',
      })
    ).body;
    const volume = (await v('POST', '/volumes', { name: `victim-vol-${randomUUID().slice(0, 6)}` })).body;
    secretValue = `victim-secret-${randomUUID()}`;
    const secret = (await v('POST', '/secret', { name: 'victim-secret', value: secretValue })).body;
    const registry = (
      await v('POST', '/docker-registry', {
        name: 'victim-registry',
        url: 'registry.victim.example:5000',
        username: 'victim',
        password: secretValue,
      })
    ).body;
    const me = (await v('GET', '/api-keys/current')).body;
    await v('POST', '/api-keys', { name: 'victim-key', permissions: [] });
    const inv = (await v('POST', `/organizations/${me.organizationId}/invitations`, { email: 'friend@example.test' }))
      .body;
    victim = {
      sandbox,
      snapshot,
      volume,
      secret,
      registry,
      orgId: me.organizationId,
      userId: me.userId,
      keyName: 'victim-key',
      invitationId: inv.id,
    };
  });
  after(async () => stack?.close());

  /** The victim's value for a resource parameter of `path`, or undefined when the parameter is not a resource. */
  const resource = (path: string, param: string): string | undefined => {
    if (param === 'sandboxId' || param === 'idOrName' || (param === 'id' && /\/sandbox\/:id/.test(path)))
      return victim.sandbox.id;
    if (path.includes('/snapshots/:')) return victim.snapshot.id;
    if (param === 'volumeId') return victim.volume.id;
    if (path.includes('/volumes/by-name/')) return victim.volume.name;
    if (path.includes('/secret/:id')) return victim.secret.id;
    if (path.includes('/docker-registry/:id')) return victim.registry.id;
    if (path.startsWith('/api/organizations/:id') && param === 'id') return victim.orgId;
    if (param === 'userId') return victim.userId;
    if (param === 'invitationId') return victim.invitationId;
    if (path.startsWith('/api/api-keys') && param === 'name') return victim.keyName;
    return undefined;
  };

  const fill = (path: string, real: boolean) => {
    const ids: [string, string][] = [];
    const out = path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
      const v = resource(path, name);
      if (v === undefined) return FIXED[name] ?? 'x';
      const fake = `${randomUUID()}`;
      ids.push([v, fake]);
      return encodeURIComponent(real ? v : fake);
    });
    return { path: out, ids };
  };

  /** A response as text with volatile fields dropped. */
  const norm = (r: { status: number; body: unknown }) =>
    JSON.stringify({ status: r.status, body: r.body }, (k, v) => (k === 'timestamp' ? undefined : v));

  it('answers every parameterised HTTP route for another organization exactly like a route for nothing', async () => {
    const routes = stack.server.app.listRoutes().filter((r) => r.path.includes(':'));
    assert.ok(routes.length > 80, `only ${routes.length} routes with parameters?`);
    const checked: string[] = [];
    for (const route of routes) {
      for (const method of route.methods.filter((m) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m))) {
        if (!route.path.match(/:([A-Za-z]+)/g)!.some((p) => resource(route.path, p.slice(1)) !== undefined)) continue;
        const key = `${method} ${route.path}`;
        const body = BODIES[key] ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
        const call = async (real: boolean) => {
          const f = fill(route.path, real);
          const url = f.path.replace(/^\/api/, '');
          return { r: await as(stack, attacker)(method, url, body), ids: f.ids };
        };
        const real = await call(true);
        const fake = await call(false);
        assert.ok(
          real.r.status >= 400,
          `${key} succeeded for another organization: ${real.r.status} ${JSON.stringify(real.r.body)}`,
        );
        assert.notEqual(real.r.status, 403, `${key} answered 403 (it must not admit the resource exists)`);
        let text = norm(real.r);
        for (const [i, [v]] of real.ids.entries()) text = text.split(v).join(fake.ids[i]![1]);
        assert.equal(text, norm(fake.r), `${key}: the answer differs from the one for a missing resource`);
        checked.push(key);
      }
    }
    assert.ok(checked.length > 60, `checked only ${checked.length} routes`);
    // The victim is untouched.
    const s = (await as(stack, stack.key)('GET', `/sandbox/${victim.sandbox.id}`)).body;
    assert.equal(s.state, 'started');
    assert.deepEqual(s.labels, victim.sandbox.labels);
    assert.equal(
      (
        await as(stack, stack.key)('POST', `/toolbox/${victim.sandbox.id}/process/execute`, {
          command: 'test -e /tmp/pwned; echo $?',
        })
      ).body.result,
      '1\n',
    );
  });

  it('never shows another organization\u2019s resources in any list', async () => {
    const lists = stack.server.app
      .listRoutes()
      .filter((r) => !r.path.includes(':') && r.methods.includes('GET') && r.path.startsWith('/api/'));
    assert.ok(lists.length >= 10);
    const needles = [
      victim.sandbox.id,
      victim.sandbox.name,
      victim.snapshot.id,
      victim.volume.id,
      victim.secret.id,
      victim.registry.id,
      victim.orgId,
      victim.userId,
      victim.invitationId,
      'victim-key',
      secretValue,
    ];
    const attackerOrg = (await as(stack, attacker)('GET', '/api-keys/current')).body.organizationId;
    for (const l of lists) {
      const r = await as(stack, attacker)('GET', l.path.replace(/^\/api/, ''));
      if (l.path === '/api/audit') {
        // The attacker's own log names the ids it tried (its own input); only its organization, and nothing that worked.
        assert.ok(r.body.items.length > 0);
        for (const e of r.body.items) assert.equal(e.organizationId, attackerOrg);
        assert.ok(
          !r.body.items.some((e: Json) => e.outcome === 'success' && needles.includes(e.targetId)),
          'an attack succeeded',
        );
        continue;
      }
      const text = JSON.stringify(r.body);
      for (const n of needles) assert.ok(!text.includes(n), `GET ${l.path} shows ${n} to another organization`);
    }
  });

  it('refuses the victim organization in X-Daytona-Organization-ID like a missing one', async () => {
    const real = await as(stack, attacker)('GET', '/sandbox', undefined, { 'x-daytona-organization-id': victim.orgId });
    const fake = await as(stack, attacker)('GET', '/sandbox', undefined, { 'x-daytona-organization-id': randomUUID() });
    assert.equal(real.status, 404);
    assert.equal(real.body.code, fake.body.code);
  });

  it('refuses every toolbox WebSocket of another organization before upgrading, like a missing sandbox', async () => {
    for (const route of WS_ROUTES) {
      const path = route.pattern.replace(/:([A-Za-z]+)/g, (_m, n: string) => FIXED[n] ?? 'x');
      const attempt = async (id: string) => {
        try {
          const c = await connectWs(stack, id, `${path}?id=x&cols=80&rows=24&follow=true`, {
            key: attacker,
            protocols: ['X-Daytona-Pty-Exit-Control'],
          });
          await c.close();
          return { status: 101, body: 'upgraded' };
        } catch (e) {
          if (!(e instanceof UpgradeRejected)) throw e;
          return { status: e.status, body: e.body };
        }
      };
      const fakeId = randomUUID();
      const real = await attempt(victim.sandbox.id);
      const fake = await attempt(fakeId);
      assert.equal(real.status, 404, `${route.pattern}: ${JSON.stringify(real.body)}`);
      assert.equal(norm(real).split(victim.sandbox.id).join(fakeId), norm(fake), route.pattern);
    }
  });

  it('sends no Socket.IO events of another organization', async () => {
    const connect = (key: string) =>
      new Promise<{ socket: Socket; events: Json[] }>((resolve, reject) => {
        const events: Json[] = [];
        const socket = ioClient(stack.url, {
          path: '/api/socket.io/',
          transports: ['websocket'],
          auth: { token: key },
          reconnection: false,
        });
        socket.onAny((name, payload) => events.push({ name, payload }));
        socket.once('connect', () => resolve({ socket, events }));
        socket.once('connect_error', reject);
      });
    const spy = await connect(attacker);
    const owner = await connect(stack.key);
    try {
      await as(stack, stack.key)('POST', `/sandbox/${victim.sandbox.id}/stop`);
      await as(stack, stack.key)('POST', `/sandbox/${victim.sandbox.id}/start`);
      await sleep(500);
      assert.ok(
        owner.events.some((e) => e.name === 'sandbox.state.updated'),
        'the owner sees its events',
      );
      assert.deepEqual(spy.events, [], 'another organization sees none');
      // Naming the victim organization in the query does not help.
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = ioClient(stack.url, {
            path: '/api/socket.io/',
            transports: ['websocket'],
            auth: { token: attacker },
            query: { organizationId: victim.orgId },
            reconnection: false,
          });
          s.once('connect', () => resolve(s.disconnect()));
          s.once('connect_error', (e) => reject(e));
        }),
        /not found/,
      );
    } finally {
      spy.socket.disconnect();
      owner.socket.disconnect();
    }
  });

  it('answers every MCP tool that takes a sandbox for another organization like a missing sandbox', async () => {
    const c = await connectHttp(stack.url, attacker, { tools: 'all' });
    try {
      const { tools } = await c.client.listTools();
      const withSandbox = tools.filter((t) => (t.inputSchema.properties ?? {})['sandbox_id']);
      assert.ok(withSandbox.length > 30, `only ${withSandbox.length} tools take a sandbox`);
      const sample = (schema: Json): unknown => {
        if (schema.enum) return schema.enum[0];
        if (schema.anyOf) return sample(schema.anyOf[0]);
        switch (schema.type) {
          case 'string':
            return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
          case 'integer':
          case 'number':
            return schema.minimum ?? 1;
          case 'boolean':
            return false;
          case 'array':
            return schema.minItems
              ? Array.from({ length: schema.minItems }, () => sample(schema.items ?? { type: 'string' }))
              : [];
          case 'object':
            return Object.fromEntries(
              (schema.required ?? []).map((k: string) => [k, sample(schema.properties?.[k] ?? { type: 'string' })]),
            );
          default:
            return 'x';
        }
      };
      for (const t of withSandbox) {
        const args = sample(t.inputSchema) as Record<string, unknown>;
        const fakeId = randomUUID();
        const call = (id: string) =>
          c.client
            .callTool({ name: t.name, arguments: { ...args, sandbox_id: id } })
            .catch((e: Error) => ({ isError: true, thrown: e.message }));
        const real = await call(victim.sandbox.id);
        const fake = await call(fakeId);
        assert.equal(real.isError, true, `${t.name} succeeded for another organization: ${JSON.stringify(real)}`);
        assert.equal(
          JSON.stringify(real).split(victim.sandbox.id).join(fakeId),
          JSON.stringify(fake),
          `${t.name}: differs from a missing sandbox`,
        );
      }
      const resources = await c.client.listResources();
      assert.ok(!JSON.stringify(resources).includes(victim.sandbox.id), 'resources/list');
      await assert.rejects(c.client.readResource({ uri: `sandbox://${victim.sandbox.id}` }), /not found/i);
    } finally {
      await c.close();
    }
  });
});
