// Hardening by default, checked two ways: by inspecting the container Berth
// created, and by attacking from inside while a neighbour and the API must
// stay healthy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import { containerOf, docker } from '../helpers/docker.js';

describe('sandbox hardening', () => {
  let stack: Stack;
  let sb: { id: string };
  let neighbour: { id: string };
  before(async () => {
    stack = await startStack();
    sb = await createSandbox(stack, { cpu: 1, memory: 1, disk: 2 });
    neighbour = await createSandbox(stack, { cpu: 1, memory: 1, disk: 2 });
  });
  after(async () => stack?.close());

  /** Health and a neighbour's exec must keep answering during an attack. */
  const stillHealthy = async () => {
    const t = Date.now();
    assert.equal((await stack.api('GET', '/health')).status, 200);
    assert.equal((await exec(stack, neighbour.id, 'echo ok')).result, 'ok\n');
    assert.ok(Date.now() - t < 10_000, 'health and neighbour answered slowly');
  };

  it('creates the container locked down', async () => {
    const c = await containerOf(sb.id).inspect();
    const h = c.HostConfig;
    assert.equal(c.Config.User, 'berth');
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.ok(!h.CapAdd || h.CapAdd.length === 0, `caps added: ${h.CapAdd}`);
    assert.ok(h.SecurityOpt?.includes('no-new-privileges:true'));
    assert.equal(h.Privileged, false);
    assert.equal(h.PidsLimit, 512);
    assert.equal(h.Memory, 1024 ** 3);
    assert.equal(h.MemorySwap, h.Memory, 'no swap beyond the memory limit');
    assert.equal(h.NanoCpus, 1e9);
    assert.equal(h.NetworkMode, 'berth');
    assert.ok(h.Ulimits?.some((u) => u.Name === 'nofile'));
    assert.ok(h.Ulimits?.some((u) => u.Name === 'fsize' && u.Hard === 2 * 1024 ** 3));
    assert.equal(h.LogConfig?.Config?.['max-size'], '1m');
    const binds = h.Binds ?? [];
    assert.equal(binds.length, 2);
    for (const b of binds) assert.match(b, /:ro$/, `${b} must be read-only`);
    assert.ok(!binds.some((b) => b.includes('docker.sock')));
    assert.ok(!(c.Mounts ?? []).some((m) => m.Source.includes('docker.sock')));
    assert.equal(c.Config.Labels['berth.sandbox'], sb.id);
    assert.equal(c.Config.Labels['berth.runner'], stack.runnerId);
  });

  it('runs everything without capabilities and without a way to gain them', async () => {
    const r = await exec(stack, sb.id, 'grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/1/status /proc/self/status; id -u');
    assert.match(r.result, /\/proc\/1\/status:CapEff:\s+0{16}/);
    assert.match(r.result, /\/proc\/self\/status:CapEff:\s+0{16}/);
    assert.match(r.result, /\/proc\/1\/status:NoNewPrivs:\s+1/);
    assert.match(r.result, /^1000$/m);
  });

  const escapes: [string, string, RegExp][] = [
    ['write the read-only daemon folder', 'touch /.berth/bin/x 2>&1; touch /.berth/run/x 2>&1; echo rc=$?', /Read-only file system[\s\S]*rc=1/],
    ['mount a filesystem', 'mount -t tmpfs none /tmp 2>&1; echo rc=$?', /rc=(1|32)/],
    ['unshare a user namespace', 'unshare -Ur id 2>&1; echo rc=$?', /rc=1/],
    ['write /proc/sys', 'echo 1 > /proc/sys/kernel/sysrq 2>&1; echo rc=$?', /rc=1/],
    ['trigger sysrq', 'echo h > /proc/sysrq-trigger 2>&1; echo rc=$?', /rc=1/],
    ['mknod a device', 'mknod /tmp/sda b 8 0 2>&1; echo rc=$?', /rc=1/],
    ['open a raw socket', 'python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)" 2>&1; echo rc=$?', /PermissionError[\s\S]*rc=1/],
    ['escalate through a setuid binary', 'cp /bin/bash /tmp/b && chmod u+s /tmp/b; /tmp/b -p -c "id -u"; sudo -n true 2>&1; echo rc=$?', /^1000$[\s\S]*rc=(1|127)/m],
    ['reach the Docker socket', 'ls -la /var/run/docker.sock /run/docker.sock 2>&1; echo rc=$?', /No such file[\s\S]*rc=2/],
    ['reach the cloud metadata address', 'curl -sS -m 3 http://169.254.169.254/latest/meta-data/ 2>&1; echo rc=$?', /rc=(7|28)/],
  ];
  for (const [what, command, expect] of escapes) {
    it(`refuses to ${what}`, async () => {
      const r = await exec(stack, sb.id, command, { timeout: 20 });
      assert.match(r.result, expect);
    });
  }

  it('cannot reach the host or a neighbour over the network', async () => {
    const net = await docker.getNetwork('berth').inspect();
    const gateway = net.IPAM?.Config?.[0]?.Gateway ?? "10.88.0.1";
    const neighbourIp = Object.values((await containerOf(neighbour.id).inspect()).NetworkSettings.Networks)[0]!.IPAddress;
    const port = new URL(stack.url).port;
    for (const target of [`http://${gateway}:${port}/api/health`, `http://${neighbourIp}:22/`, `http://127.0.0.1:${port}/`]) {
      const r = await exec(stack, sb.id, `curl -sS -m 3 ${target} 2>&1; echo rc=$?`, { timeout: 20 });
      assert.match(r.result, /rc=(7|28)/, `${target} answered: ${r.result}`);
    }
  });

  it('has no network at all with networkBlockAll', async () => {
    const iso = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, networkBlockAll: true });
    const r = await exec(stack, iso.id, 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; curl -sS -m 3 http://1.1.1.1 2>&1; echo rc=$?', { timeout: 20 });
    assert.match(r.result, /^lo$/m);
    assert.doesNotMatch(r.result, /eth0/);
    assert.match(r.result, /rc=(6|7|28)/);
    // Blocked sandboxes are kept off every network (detached, so the policy can change live).
    const nets = (await containerOf(iso.id).inspect()).NetworkSettings.Networks ?? {};
    assert.deepEqual(Object.keys(nets).filter((n) => n !== 'none'), []);
    await stack.api('DELETE', `/sandbox/${iso.id}`);
  });

  it('contains a fork bomb to its own pid limit', async () => {
    const r = await exec(stack, sb.id, 'bomb() { bomb | bomb & }; bomb; sleep 5', { timeout: 8 }).catch((e) => ({ result: String(e) }));
    void r;
    await stillHealthy();
    // The timeout killed the whole tree: the sandbox is usable again.
    await new Promise((res) => setTimeout(res, 1000));
    const after = await exec(stack, sb.id, 'ps -e --no-headers | wc -l');
    assert.ok(Number(after.result.trim()) < 20, `processes left: ${after.result}`);
  });

  it('OOM-kills a memory bomb without hurting the host or the daemon', async () => {
    const r = await exec(stack, sb.id, 'python3 -c "x = bytearray(3 * 1024**3); print(len(x))"; echo rc=$?', { timeout: 60 });
    assert.match(r.result, /rc=(137|1)/, r.result);
    await stillHealthy();
    assert.equal((await exec(stack, sb.id, 'echo alive')).result, 'alive\n');
  });

  it('reaps orphaned zombies as PID 1', async () => {
    await exec(stack, sb.id, 'for i in $(seq 20); do (sleep 0.2 &) ; done; sleep 1');
    await new Promise((res) => setTimeout(res, 2500));
    const r = await exec(stack, sb.id, 'ps -eo stat= | grep -c "^Z" || true');
    assert.equal(r.result.trim(), '0');
  });

  it('runs the injected daemon in an image without libc or Node', async () => {
    const bb = await createSandbox(stack, { image: 'berth-test/busybox:static', cpu: 1, memory: 1, disk: 1 });
    const r = await exec(stack, bb.id, 'echo hi from busybox; id -u; cat /proc/1/cmdline | tr "\\0" " "');
    assert.match(r.result, /hi from busybox\n1000\n\/\.berth\/bin\/ld-linux/);
    const up = await fetch(`${stack.url}/toolbox/${bb.id}/files/upload?path=/home/user/x.txt`, { method: 'POST', headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/octet-stream' }, body: 'data' });
    assert.equal(up.status, 200);
    assert.equal((await exec(stack, bb.id, 'cat /home/user/x.txt')).result, 'data');
    await stack.api('DELETE', `/sandbox/${bb.id}`);
  });

  it("still starts the image's own entrypoint", async () => {
    const ep = await createSandbox(stack, { image: 'berth-test/entrypoint:latest', cpu: 1, memory: 1, disk: 1 });
    await new Promise((res) => setTimeout(res, 500));
    assert.equal((await exec(stack, ep.id, 'cat /tmp/entrypoint.txt')).result, 'entrypoint-ran\n');
    await stack.api('DELETE', `/sandbox/${ep.id}`);
  });
});
