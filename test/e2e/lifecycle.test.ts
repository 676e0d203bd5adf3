// Full sandbox lifecycle over real HTTP against a real Docker engine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, exec, readyNetns, startStack, type Stack } from '../helpers/stack.js';
import { containerOf, docker, runnerContainers, runnerHolders } from '../helpers/docker.js';

describe('sandbox lifecycle over REST', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('creates, lists, gets by id and name, stops, starts, archives, restores and deletes', async () => {
    const s = await createSandbox(stack, {
      name: 'life-1',
      labels: { team: 'a' },
      env: { GREETING: 'hello' },
      cpu: 1,
      memory: 1,
      disk: 2,
    });
    assert.equal(s.name, 'life-1');
    assert.equal(s.state, 'started');
    assert.equal(s.labels.team, 'a');
    assert.equal(s.toolboxProxyUrl, `${stack.server.config.publicUrl}/toolbox`);
    assert.equal(s.cpu, 1);

    const byName = await stack.api('GET', '/sandbox/life-1');
    assert.equal(byName.status, 200);
    assert.equal(byName.body.id, s.id);

    const listed = await stack.api('GET', `/sandbox?labels=${encodeURIComponent(JSON.stringify({ team: 'a' }))}`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.items.map((x: { id: string }) => x.id),
      [s.id],
    );
    assert.equal(listed.body.items[0].toolboxProxyUrl, s.toolboxProxyUrl);
    const none = await stack.api('GET', `/sandbox?labels=${encodeURIComponent(JSON.stringify({ team: 'b' }))}`);
    assert.deepEqual(none.body.items, []);

    // The daemon compiled itself from the runner's code cache and starts commands without forking itself.
    const daemon = await stack.server.orch.toolbox.process.info(await stack.server.orch.authenticate(stack.key), s.id);
    assert.equal(daemon.codeCache, 'accepted');
    assert.equal(daemon.spawn, 'posix_spawn');

    const r = await exec(stack, s.id, 'echo $GREETING; echo file-content > keep.txt; id -u');
    assert.equal(r.exitCode, 0);
    assert.equal(r.result, 'hello\n1000\n');

    const stopped = await stack.api('POST', `/sandbox/${s.id}/stop`);
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.state, 'stopped');
    assert.equal((await containerOf(s.id).inspect()).State.Running, false);
    const refused = await stack.api('POST', `/toolbox/${s.id}/process/execute`, { command: 'true' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.hint, /start it first/);

    const started = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(started.body.state, 'started');
    assert.equal((await exec(stack, s.id, 'cat keep.txt')).result, 'file-content\n');

    await stack.api('POST', `/sandbox/${s.id}/stop`);
    const archived = await stack.api('POST', `/sandbox/${s.id}/archive`);
    assert.equal(archived.body.state, 'archived');
    await assert.rejects(containerOf(s.id).inspect(), /no such container/i);

    const restored = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(restored.body.state, 'started', JSON.stringify(restored.body));
    assert.equal(
      (await exec(stack, s.id, 'cat keep.txt; ls -ln keep.txt | cut -d" " -f3')).result,
      'file-content\n1000\n',
    );

    const labels = await stack.api('PUT', `/sandbox/${s.id}/labels`, { labels: { team: 'b', tier: 'x' } });
    assert.deepEqual(labels.body.labels, { team: 'b', tier: 'x' });

    const del = await stack.api('DELETE', `/sandbox/${s.id}`);
    assert.equal(del.status, 200);
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).status, 404);
    assert.equal((await runnerContainers(stack.runnerId)).length, 0);
    assert.ok(
      !(await runnerHolders(stack.runnerId)).includes(`berth-netns-${s.id}`),
      'its network namespace went with it',
    );
  });

  it('starts again after an engine restart stopped its network namespace, and new sandboxes use stopped ready ones', async () => {
    await readyNetns(stack, 1);
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
    assert.match(
      (await containerOf(s.id).inspect()).HostConfig.NetworkMode ?? '',
      /^container:/,
      'it joined a ready network namespace',
    );
    await exec(stack, s.id, 'echo kept > kept.txt');
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    // What a restart of the engine leaves: every holder stopped, its own and the ready ones.
    const holders = await runnerHolders(stack.runnerId);
    assert.ok(holders.length >= 2, `its own and a ready one (${holders.join(', ')})`);
    for (const h of holders) await docker.getContainer(h).stop({ t: 0 });

    const started = await stack.api('POST', `/sandbox/${s.id}/start`);
    assert.equal(started.body.state, 'started', JSON.stringify(started.body));
    assert.equal(
      (await exec(stack, s.id, 'cat kept.txt; cat /sys/class/net/eth0/operstate')).result,
      'kept\nup\n',
      'its files and a network',
    );
    const fresh = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
    assert.equal((await exec(stack, fresh.id, 'echo new')).result, 'new\n');
    for (const id of [s.id, fresh.id]) await stack.api('DELETE', `/sandbox/${id}`);
  });

  it('sets auto-stop, auto-archive and auto-delete intervals', async () => {
    const s = await createSandbox(stack, { autoStopInterval: 0 });
    assert.equal(s.autoStopInterval, 0);
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/autostop/30`)).body.autoStopInterval, 30);
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/autoarchive/60`)).body.autoArchiveInterval, 60);
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/autodelete/-1`)).body.autoDeleteInterval, -1);
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/autostop/abc`)).status, 400);
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });

  it('pages through a label-filtered list with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createSandbox(stack, { labels: { page: 'yes' } })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/sandbox?limit=2&labels=${encodeURIComponent('{"page":"yes"}')}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await stack.api('GET', q);
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((x: { id: string }) => x.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    for (const id of ids) await stack.api('DELETE', `/sandbox/${id}`);
  });
});
