// Network egress policy and the isolation tier: domain allow-lists through
// the runner's DNS-driven rules (against a DNS server and a "public" HTTP
// endpoint this test runs, since the host has no internet), CIDR lists,
// blocking everything, live changes, organization defaults, rules removed
// with the sandbox, and gVisor where the host offers it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { containerOf } from '../helpers/docker.js';
import { startFakeDns, type FakeDns } from './fake-dns.js';
import { canCreatePublicEndpoint, startPublicEndpoint, type PublicEndpoint } from './public-endpoint.js';
import { as, denied, newOrganization } from './helpers.js';
import { skipUnless } from '../helpers/strict.js';

const SMALL = { cpu: 1, memory: 1, disk: 1 };

describe(
  'egress policy and isolation tier',
  { skip: skipUnless(!canCreatePublicEndpoint() && 'needs root and iproute2 (`ip`) for its stand-in public endpoint') },
  () => {
    let stack: Stack;
    let dns: FakeDns;
    let web: PublicEndpoint;
    const curl = async (id: string, url: string, headers?: Record<string, string>) =>
      (
        await as(stack, stack.key)(
          'POST',
          `/toolbox/${id}/process/execute`,
          { command: `curl -sS -m 4 ${url} 2>&1; echo " rc=$?"`, timeout: 20 },
          headers,
        )
      ).body.result as string;

    before(async () => {
      web = await startPublicEndpoint();
      dns = await startFakeDns({
        'api.allowed.test': web.address,
        'cdn.allowed.test': web.address,
        'blocked.test': web.address,
        'private.allowed.test': '10.1.2.3',
      });
      stack = await startStack({ config: { egressDnsUpstream: `127.0.0.1:${dns.port}`, rateLimitCreate: 100 } });
    });
    after(async () => {
      await stack?.close();
      await dns?.close();
      web?.close();
    });

    it('reaches the stand-in public endpoint without a policy (the test itself works)', async () => {
      const open = await createSandbox(stack, SMALL);
      assert.match(await curl(open.id, `http://${web.address}:${web.port}/`), /reached-the-internet rc=0/);
      await stack.api('DELETE', `/sandbox/${open.id}`);
    });

    it('allows only listed domains: their addresses open on resolution, other names do not resolve, other addresses stay shut', async () => {
      const s = await createSandbox(stack, { ...SMALL, domainAllowList: '*.allowed.test' });
      assert.equal(s.domainAllowList, '*.allowed.test');
      assert.match(
        await curl(s.id, `http://${web.address}:${web.port}/`),
        /rc=(7|28)/,
        'an address nobody resolved is shut',
      );
      assert.match(await curl(s.id, `http://api.allowed.test:${web.port}/`), /reached-the-internet rc=0/);
      assert.match(await curl(s.id, `http://blocked.test:${web.port}/`), /rc=6/, 'an unlisted name does not resolve');
      assert.match(
        await curl(s.id, `http://private.allowed.test:${web.port}/`),
        /rc=(7|28)/,
        'private ranges stay blocked whatever a name resolves to',
      );
      const state = await stack.server.runner.egressState(s.id);
      assert.ok(
        state.filter.some((r) => r.includes(`-d ${web.address}/32 -j RETURN`)),
        JSON.stringify(state),
      );
      assert.equal(state.dns.length, 2, 'UDP and TCP DNS redirected to the resolver');
      assert.ok(state.decisions.some((d) => d.name === 'blocked.test' && !d.allowed));
      assert.ok(!dns.asked.includes('blocked.test'), 'refused names never reach the upstream server');

      // Live change on the running sandbox: the old domains and their addresses go.
      const up = await as(stack, stack.key)('POST', `/sandbox/${s.id}/network-settings`, {
        domainAllowList: 'blocked.test',
      });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal(up.body.domainAllowList, 'blocked.test');
      assert.match(await curl(s.id, `http://${web.address}:${web.port}/`), /rc=(7|28)/);
      assert.match(await curl(s.id, `http://cdn.allowed.test:${web.port}/`), /rc=6/);
      assert.match(await curl(s.id, `http://blocked.test:${web.port}/`), /reached-the-internet rc=0/);

      // Block everything, then open again.
      await as(stack, stack.key)('POST', `/sandbox/${s.id}/network-settings`, { networkBlockAll: true });
      assert.match(await curl(s.id, `http://blocked.test:${web.port}/`), /rc=(6|7|28)/);
      await as(stack, stack.key)('POST', `/sandbox/${s.id}/network-settings`, {
        networkBlockAll: false,
        domainAllowList: '',
      });
      assert.match(
        await curl(s.id, `http://${web.address}:${web.port}/`),
        /reached-the-internet rc=0/,
        'no list: everything public',
      );

      // Rules go with the sandbox.
      await as(stack, stack.key)('POST', `/sandbox/${s.id}/network-settings`, { domainAllowList: '*.allowed.test' });
      assert.equal((await stack.server.runner.egressState(s.id)).dns.length, 2);
      await stack.api('DELETE', `/sandbox/${s.id}`);
      const gone = await stack.server.runner.egressState(s.id);
      assert.deepEqual([gone.filter, gone.dns], [[], []]);
      assert.ok(!execFileSync('iptables', ['-S'], { encoding: 'utf8' }).includes(s.id.replace(/-/g, '').slice(0, 20)));
    });

    it('allows only listed CIDRs', async () => {
      const s = await createSandbox(stack, { ...SMALL, networkAllowList: `${web.address}/32` });
      assert.match(await curl(s.id, `http://${web.address}:${web.port}/`), /reached-the-internet rc=0/);
      assert.match(await curl(s.id, 'http://198.51.100.250:80/'), /rc=(7|28)/);
      await stack.api('DELETE', `/sandbox/${s.id}`);
    });

    it('validates domain lists', async () => {
      denied(
        await stack.api('POST', '/sandbox', { ...SMALL, domainAllowList: 'exa mple.com' }),
        400,
        'invalid_argument',
        'space',
      );
      denied(
        await stack.api('POST', '/sandbox', { ...SMALL, domainAllowList: 'a.*.com' }),
        400,
        'invalid_argument',
        'inner wildcard',
      );
    });

    it('applies the organization default policy to sandboxes that name none', async () => {
      const org = await newOrganization(stack, 'Egress defaults');
      const h = { 'x-daytona-organization-id': org };
      const set = await as(stack, stack.key)('PUT', `/organizations/${org}/defaults`, {
        domainAllowList: '*.allowed.test',
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const s = (await as(stack, stack.key)('POST', '/sandbox', SMALL, h)).body;
      assert.equal(s.domainAllowList, '*.allowed.test');
      assert.match(await curl(s.id, `http://blocked.test:${web.port}/`, h), /rc=6/);
      assert.match(await curl(s.id, `http://api.allowed.test:${web.port}/`, h), /reached-the-internet rc=0/);
      // A request that names its own policy gets exactly that.
      const own = (await as(stack, stack.key)('POST', '/sandbox', { ...SMALL, networkBlockAll: true }, h)).body;
      assert.equal(own.networkBlockAll, true);
      assert.equal(own.domainAllowList, undefined);
      for (const id of [s.id, own.id]) await as(stack, stack.key)('DELETE', `/sandbox/${id}`, undefined, h);
    });

    describe('gVisor', () => {
      const gvisor = () => stack.server.runner.engineInfo()?.gvisor ?? 'unavailable';

      it('runs a sandbox under runsc, without network where the host cannot give it one', async (t) => {
        if (gvisor() === 'unavailable')
          return t.skip('runsc is not registered with the engine (berth setup installs it)');
        const s = await createSandbox(stack, { ...SMALL, runtime: 'gvisor' });
        assert.equal(s.runtime, 'gvisor');
        assert.equal((await containerOf(s.id).inspect()).HostConfig.Runtime, 'runsc');
        const r = await exec(stack, s.id, 'dmesg 2>/dev/null | head -1; uname -r; id -u');
        assert.match(r.result, /gVisor/);
        assert.match(r.result, /^1000$/m);
        if (gvisor() === 'no-network') {
          assert.equal(s.networkBlockAll, true, 'offered as a blocked sandbox');
          denied(
            await stack.api('POST', `/sandbox/${s.id}/network-settings`, { networkBlockAll: false }),
            409,
            'failed_precondition',
            'opening a gVisor sandbox',
          );
          denied(
            await stack.api('POST', '/sandbox', { ...SMALL, runtime: 'gvisor', networkBlockAll: false }),
            400,
            'invalid_argument',
            'networked gVisor',
          );
          denied(
            await stack.api('POST', '/sandbox', { ...SMALL, runtime: 'gvisor', domainAllowList: 'x.test' }),
            400,
            'invalid_argument',
            'gVisor with a domain list',
          );
        }
        // The kernel gVisor shows is its own; host kernel interfaces are not there.
        const k = await exec(
          stack,
          s.id,
          'cat /proc/sys/kernel/osrelease; ls /sys/fs/cgroup 2>&1 | head -3; echo rc=$?',
        );
        assert.doesNotMatch(
          k.result,
          new RegExp(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim().replace(/[.+]/g, '\\$&')),
        );
        await stack.api('DELETE', `/sandbox/${s.id}`);
      });

      it('says clearly when gVisor is not installed', async (t) => {
        if (gvisor() !== 'unavailable') return t.skip('gVisor is installed here');
        const r = await stack.api('POST', '/sandbox', { ...SMALL, runtime: 'gvisor', networkBlockAll: true });
        denied(r, 400, 'invalid_argument', 'gVisor missing');
        assert.match(r.body.hint, /berth setup/);
      });
    });
  },
);
