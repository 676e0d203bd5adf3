// The MCP tools for snapshots (from an image, built from a Dockerfile with
// build-log progress and cancellation), registries, volumes, telemetry and a
// sandbox's state (snapshot, fork, pause/resume, resize), through the SDK's
// real Client over Streamable HTTP against a real server and Docker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startStack, TEST_IMAGE, type Stack } from '../helpers/stack.js';
import { connectHttp, text, type Connected } from './helpers.js';
import type { Json } from '../helpers/json.js';

type Result = { content?: unknown; structuredContent?: Json; isError?: boolean };
const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<Result> =>
  (await c.callTool({ name, arguments: args })) as Result;
const ok = async (c: Client, name: string, args: Record<string, unknown>): Promise<Json> => {
  const r = await call(c, name, args);
  assert.ok(!r.isError, `${name} failed: ${text(r)}`);
  return r.structuredContent;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long MCP calls (builds, forks) outlast the SDK's default 60 s request timeout on a busy machine. */
const LONG = { timeout: 300_000 };

describe('MCP tools for images, volumes, telemetry and sandbox state', () => {
  let stack: Stack;
  let mcp: Connected;
  const sandboxes: string[] = [];

  before(async () => {
    stack = await startStack();
    mcp = await connectHttp(stack.url, stack.key, { tools: 'all' });
  });
  after(async () => {
    for (const id of sandboxes) await call(mcp.client, 'sandbox_delete', { sandbox_id: id }).catch(() => {});
    await mcp?.close();
    await stack?.close();
  });

  it('serves the tools in their groups with annotations', async () => {
    const core = await connectHttp(stack.url, stack.key);
    try {
      const names = (await core.client.listTools()).tools.map((t) => t.name);
      for (const n of ['sandbox_snapshot', 'sandbox_fork', 'sandbox_pause', 'sandbox_resize'])
        assert.ok(names.includes(n), n);
      for (const n of ['snapshot_list', 'registry_list', 'volume_list', 'sandbox_metrics'])
        assert.ok(!names.includes(n), n);
    } finally {
      await core.close();
    }
    const groups = {
      images: [
        'snapshot_list',
        'snapshot_create',
        'snapshot_delete',
        'registry_list',
        'registry_add',
        'registry_remove',
      ],
      volumes: ['volume_list', 'volume_create', 'volume_delete'],
      telemetry: ['sandbox_metrics', 'sandbox_logs'],
    };
    for (const [group, expected] of Object.entries(groups)) {
      const g = await connectHttp(stack.url, stack.key, { tools: group });
      try {
        assert.deepEqual((await g.client.listTools()).tools.map((t) => t.name).sort(), [...expected].sort());
      } finally {
        await g.close();
      }
    }
    const { tools } = await mcp.client.listTools();
    const ann = (n: string) => tools.find((t) => t.name === n)!.annotations!;
    assert.equal(ann('snapshot_list').readOnlyHint, true);
    assert.equal(ann('snapshot_delete').destructiveHint, true);
    assert.equal(ann('volume_delete').destructiveHint, true);
    assert.equal(ann('snapshot_create').openWorldHint, true);
    assert.equal(ann('sandbox_metrics').readOnlyHint, true);
    assert.ok(tools.find((t) => t.name === 'snapshot_create')!.outputSchema);
  });

  it('creates a snapshot from an image and deletes it', async () => {
    const created = await ok(mcp.client, 'snapshot_create', { name: 'mcp-img', image: TEST_IMAGE });
    assert.deepEqual(
      [created.snapshot.name, created.snapshot.state, created.snapshot.image, created.snapshot.built],
      ['mcp-img', 'active', TEST_IMAGE, false],
    );
    const listed = await ok(mcp.client, 'snapshot_list', { name: 'mcp-img' });
    assert.deepEqual(
      listed.snapshots.map((s: { name: string }) => s.name),
      ['mcp-img'],
    );
    const dup = await call(mcp.client, 'snapshot_create', { name: 'mcp-img', image: TEST_IMAGE });
    assert.equal(dup.isError, true);
    assert.match(text(dup), /conflict/);
    const neither = await call(mcp.client, 'snapshot_create', { name: 'mcp-none' });
    assert.equal(neither.isError, true);
    assert.match(text(neither), /exactly one of image and dockerfile\nHint: e\.g\./);
    assert.equal((await ok(mcp.client, 'snapshot_delete', { snapshot: 'mcp-img' })).deleted, 'mcp-img');
    const gone = await call(mcp.client, 'snapshot_delete', { snapshot: 'mcp-img' });
    assert.equal(gone.isError, true);
    assert.match(text(gone), /Hint: call snapshot_list/);
  });

  it('builds a snapshot from a Dockerfile with the build log as progress, and starts a sandbox from it', async () => {
    const marker = `mcp-build-${Date.now().toString(36)}`;
    const dockerfile = `FROM ${TEST_IMAGE}\nRUN echo ${marker}-step && echo ${marker} > /home/berth/built.txt\n`;
    const progress: { progress: number; message?: string }[] = [];
    const r = (await mcp.client.callTool(
      { name: 'snapshot_create', arguments: { name: 'mcp-built', dockerfile } },
      undefined,
      { ...LONG, onprogress: (p) => progress.push(p) },
    )) as Result;
    assert.ok(!r.isError, text(r));
    assert.deepEqual([r.structuredContent.snapshot.state, r.structuredContent.snapshot.built], ['active', true]);
    assert.match(text(r), /sandbox_create \{"snapshot": "mcp-built"\}/);
    assert.ok(
      progress.some((p) => p.message?.includes(`${marker}-step`)),
      `progress: ${JSON.stringify(progress)}`,
    );
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress >= progress[i - 1]!.progress);

    const sb = await ok(mcp.client, 'sandbox_create', { name: 'mcp-from-built', snapshot: 'mcp-built' });
    sandboxes.push(sb.sandbox.id);
    assert.equal(
      (await ok(mcp.client, 'exec', { sandbox_id: sb.sandbox.id, command: 'cat /home/berth/built.txt' })).stdout,
      `${marker}\n`,
    );
    const inUse = await call(mcp.client, 'snapshot_delete', { snapshot: 'mcp-built' });
    assert.equal(inUse.isError, true, 'a snapshot with sandboxes is kept');
    await ok(mcp.client, 'sandbox_delete', { sandbox_id: sb.sandbox.id });

    const failed = await call(mcp.client, 'snapshot_create', {
      name: 'mcp-broken',
      dockerfile: `FROM ${TEST_IMAGE}\nRUN echo about-to-fail && exit 7\n`,
    });
    assert.equal(failed.isError, true);
    assert.match(text(failed), /BUILD_FAILED/);
    assert.match(text(failed), /about-to-fail/);
    assert.match(text(failed), /Hint: fix the Dockerfile, delete the failed snapshot with snapshot_delete/);
    await ok(mcp.client, 'snapshot_delete', { snapshot: 'mcp-broken' });
  });

  it('stops the build and removes the snapshot when the call is cancelled', async () => {
    const ac = new AbortController();
    const dockerfile = `FROM ${TEST_IMAGE}\nRUN echo mcp-cancel-started && sleep 120\n`;
    const pending = mcp.client.callTool(
      { name: 'snapshot_create', arguments: { name: 'mcp-cancel', dockerfile } },
      undefined,
      {
        ...LONG,
        signal: ac.signal,
        onprogress: (p) => {
          if (p.message?.includes('mcp-cancel-started')) ac.abort('test cancels');
        },
      },
    );
    await assert.rejects(pending);
    assert.ok(ac.signal.aborted, 'the build log reached the RUN step');
    let left = 1;
    for (let i = 0; i < 150 && left; i++) {
      await sleep(200);
      left = (await ok(mcp.client, 'snapshot_list', { name: 'mcp-cancel' })).total;
    }
    assert.equal(left, 0, 'the cancelled snapshot is removed');
  });

  it('snapshots, forks, pauses, resumes and resizes a sandbox', async () => {
    const sb = (
      await ok(mcp.client, 'sandbox_create', { name: 'mcp-state', cpu: 1, memory: 1, labels: { suite: 'mcp-state' } })
    ).sandbox;
    sandboxes.push(sb.id);
    await ok(mcp.client, 'exec', { sandbox_id: sb.id, command: 'echo original > ~/f.txt' });

    const progress: { message?: string }[] = [];
    const forked = (await mcp.client.callTool(
      { name: 'sandbox_fork', arguments: { sandbox_id: 'mcp-state', name: 'mcp-state-fork' } },
      undefined,
      { ...LONG, onprogress: (p) => progress.push(p) },
    )) as Result;
    assert.ok(!forked.isError, text(forked));
    const fork = forked.structuredContent;
    assert.match(progress[0]?.message ?? '', /saving the files of mcp-state/);
    sandboxes.push(fork.sandbox.id);
    assert.equal(fork.source_id, sb.id);
    assert.deepEqual(
      [fork.sandbox.name, fork.sandbox.state, fork.sandbox.labels.suite, fork.sandbox.cpu],
      ['mcp-state-fork', 'started', 'mcp-state', 1],
    );
    assert.equal(
      (await ok(mcp.client, 'exec', { sandbox_id: fork.sandbox.id, command: 'cat ~/f.txt; echo fork > ~/f.txt' }))
        .stdout,
      'original\n',
    );
    assert.equal(
      (await ok(mcp.client, 'exec', { sandbox_id: sb.id, command: 'cat ~/f.txt' })).stdout,
      'original\n',
      'the fork is independent',
    );

    const saved = await ok(mcp.client, 'sandbox_snapshot', { sandbox_id: sb.id, name: 'mcp-saved' });
    assert.deepEqual(
      [saved.snapshot.name, saved.snapshot.source_sandbox_id, saved.sandbox_id],
      ['mcp-saved', sb.id, sb.id],
    );
    const copy = (await ok(mcp.client, 'sandbox_create', { name: 'mcp-saved-copy', snapshot: 'mcp-saved' })).sandbox;
    sandboxes.push(copy.id);
    assert.equal((await ok(mcp.client, 'exec', { sandbox_id: copy.id, command: 'cat ~/f.txt' })).stdout, 'original\n');
    await ok(mcp.client, 'sandbox_delete', { sandbox_id: copy.id });

    const bg = await ok(mcp.client, 'exec_start', {
      sandbox_id: sb.id,
      command: 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done',
    });
    await sleep(500);
    const paused = await ok(mcp.client, 'sandbox_pause', { sandbox_id: sb.id });
    assert.equal(paused.sandbox.state, 'paused');
    const refused = await call(mcp.client, 'exec', { sandbox_id: sb.id, command: 'true' });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /paused — call sandbox_start/);
    assert.equal((await ok(mcp.client, 'sandbox_start', { sandbox_id: sb.id })).sandbox.state, 'started');
    const running = await ok(mcp.client, 'process_list', { sandbox_id: sb.id });
    assert.ok(
      running.processes.some(
        (p: { process_id: string; state: string }) => p.process_id === bg.process_id && p.state === 'running',
      ),
      'the process survived the pause',
    );

    const resized = await ok(mcp.client, 'sandbox_resize', { sandbox_id: sb.id, memory: 2 });
    assert.deepEqual([resized.sandbox.memory_gib, resized.sandbox.cpu], [2, 1]);
    const limit = await ok(mcp.client, 'exec', {
      sandbox_id: sb.id,
      command: 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max',
    });
    assert.equal(limit.stdout.trim(), String(2 * 1024 ** 3));
  });

  it('adds, lists and removes a private registry without showing its password', async () => {
    const added = await ok(mcp.client, 'registry_add', {
      name: 'mcp-reg',
      url: 'https://registry.example.com:5000/',
      username: 'bot',
      password: 's3cret-pass',
    });
    assert.deepEqual(
      [added.registry.name, added.registry.url, added.registry.username],
      ['mcp-reg', 'registry.example.com:5000', 'bot'],
    );
    const listed = await call(mcp.client, 'registry_list', {});
    assert.deepEqual(
      listed.structuredContent.registries.map((r: { name: string }) => r.name),
      ['mcp-reg'],
    );
    assert.ok(!JSON.stringify(listed).includes('s3cret-pass'));
    assert.equal((await ok(mcp.client, 'registry_remove', { registry: 'mcp-reg' })).removed, 'mcp-reg');
    assert.deepEqual((await ok(mcp.client, 'registry_list', {})).registries, []);
    const gone = await call(mcp.client, 'registry_remove', { registry: 'mcp-reg' });
    assert.equal(gone.isError, true);
    assert.match(text(gone), /Hint: call registry_list/);
  });

  it('creates a volume, shares it between sandboxes, and deletes it once unused', async () => {
    const v = (await ok(mcp.client, 'volume_create', { name: 'mcp-vol' })).volume;
    assert.equal(v.state, 'ready');
    assert.deepEqual(
      (await ok(mcp.client, 'volume_list', {})).volumes.map((x: { name: string }) => x.name),
      ['mcp-vol'],
    );
    const sb = (
      await ok(mcp.client, 'sandbox_create', {
        name: 'mcp-vol-user',
        volumes: [{ volume: 'mcp-vol', mount_path: '/data' }],
      })
    ).sandbox;
    sandboxes.push(sb.id);
    assert.deepEqual(sb.volumes, [{ volume_id: v.id, mount_path: '/data', subpath: null }]);
    await ok(mcp.client, 'exec', { sandbox_id: sb.id, command: 'echo shared > /data/x.txt' });
    const inUse = await call(mcp.client, 'volume_delete', { volume: 'mcp-vol' });
    assert.equal(inUse.isError, true);
    assert.match(text(inUse), /in use by sandbox/);
    await ok(mcp.client, 'sandbox_delete', { sandbox_id: sb.id });
    let r = await call(mcp.client, 'volume_delete', { volume: 'mcp-vol' });
    for (let i = 0; i < 50 && r.isError; i++) {
      await sleep(200); // the deleted sandbox's container goes away in the background
      r = await call(mcp.client, 'volume_delete', { volume: 'mcp-vol' });
    }
    assert.ok(!r.isError, text(r));
    assert.equal(r.structuredContent.deleted, 'mcp-vol');
    const gone = await call(mcp.client, 'volume_delete', { volume: 'mcp-vol' });
    assert.match(text(gone), /Hint: call volume_list/);
  });

  it('returns the metric history and the logs of a sandbox', async () => {
    const sb = (await ok(mcp.client, 'sandbox_create', { name: 'mcp-telemetry', cpu: 1, memory: 1 })).sandbox;
    sandboxes.push(sb.id);
    const empty = await ok(mcp.client, 'sandbox_metrics', { sandbox_id: sb.id, minutes: 5 });
    assert.ok(empty.series.every((s: { samples: number }) => s.samples === 0));
    await stack.server.orch.sandboxMetrics.sample();
    await ok(mcp.client, 'exec', { sandbox_id: sb.id, command: 'timeout 1 sh -c "while :; do :; done"; true' });
    await stack.server.orch.sandboxMetrics.sample();
    const m = await ok(mcp.client, 'sandbox_metrics', {
      sandbox_id: sb.id,
      minutes: 5,
      metrics: ['daytona.sandbox.memory.limit', 'daytona.sandbox.cpu.utilization'],
      max_points: 1,
    });
    assert.deepEqual(
      m.series.map((s: { metric: string }) => s.metric),
      ['daytona.sandbox.memory.limit', 'daytona.sandbox.cpu.utilization'],
    );
    assert.equal(m.series[0].samples, 2);
    assert.equal(m.series[0].points.length, 1, 'thinned to max_points');
    assert.equal(m.series[0].latest, 1024 ** 3);
    await assert.rejects(
      call(mcp.client, 'sandbox_metrics', { sandbox_id: sb.id, metrics: ['nope'] }),
      /-32602.*daytona\.sandbox\.cpu\.utilization/,
    );

    const printer = (await ok(mcp.client, 'sandbox_create', { name: 'mcp-printer', cpu: 1, memory: 1 })).sandbox;
    sandboxes.push(printer.id);
    await call(mcp.client, 'exec', {
      sandbox_id: printer.id,
      command: 'echo hello-from-pid1 > /proc/1/fd/1; echo oops > /proc/1/fd/2',
    });
    let logs: Json;
    for (let i = 0; i < 50; i++) {
      logs = await ok(mcp.client, 'sandbox_logs', { sandbox_id: printer.id, minutes: 10 });
      if (logs.logs.some((l: { text: string }) => l.text === 'oops')) break;
      await sleep(200);
    }
    assert.ok(
      logs.logs.some((l: { text: string; severity: string }) => l.text === 'hello-from-pid1' && l.severity === 'INFO'),
      JSON.stringify(logs),
    );
    assert.ok(logs.logs.some((l: { text: string; severity: string }) => l.text === 'oops' && l.severity === 'ERROR'));
    const errors = await ok(mcp.client, 'sandbox_logs', { sandbox_id: printer.id, minutes: 10, severity: 'ERROR' });
    assert.ok(errors.logs.length >= 1 && errors.logs.every((l: { stream: string }) => l.stream === 'stderr'));
  });
});
