// Images built by Berth with the real SDK: a declarative Image snapshot with
// its build log arriving while it builds, a dynamic image on create and its
// reuse, a failing step with its reason, and bad input (syntax error, unknown
// base, name clash, a snapshot in use).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaConflictError, DaytonaError, Image } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from '../sdk/helpers.js';
import { docker } from '../helpers/docker.js';
import type { Json } from '../helpers/json.js';

const BASE = 'berth/sandbox-base:latest';

describe('images: builds', () => {
  let t: SdkStack;
  before(async () => {
    t = await sdkStack();
  });
  after(async () => {
    await t?.close();
  });

  it('builds a declarative Image into a snapshot, streaming its log during the build', async () => {
    const marker = `built-${Date.now()}`;
    const image = Image.base(BASE)
      .runCommands(`echo ${marker}-start`, 'sleep 3', `echo ${marker} > /tmp/built.txt`)
      .env({ BUILT_WITH: 'berth' })
      .workdir('/tmp');
    const logs: { at: number; text: string }[] = [];
    const started = Date.now();
    const snap = await t.daytona.snapshot.create(
      { name: 'img-declarative', image, resources: { cpu: 1, memory: 1 } },
      { onLogs: (text) => logs.push({ at: Date.now(), text }) },
    );
    const finished = Date.now();
    assert.equal(snap.state, 'active');
    assert.ok((snap.size ?? 0) > 0);
    const all = logs.map((l) => l.text).join('\n');
    assert.match(all, new RegExp(`${marker}-start`), 'the RUN output is in the log');
    assert.match(all, /Step \d+\/\d+ : RUN sleep 3/);
    // The first line of RUN output came in before the build ended (at least the 3 s sleep earlier).
    const first = logs.find((l) => l.text.includes(`${marker}-start`))!;
    assert.ok(
      first.at < finished - 2000,
      `log arrived ${finished - first.at} ms before the end (started ${first.at - started} ms in)`,
    );

    // A sandbox from the snapshot has the built files, env and workdir.
    const s = await t.sandbox({ snapshot: 'img-declarative' });
    assert.equal((await s.process.executeCommand('cat /tmp/built.txt')).result.trim(), marker);
    assert.equal((await s.process.executeCommand('echo $BUILT_WITH')).result.trim(), 'berth');
    assert.equal(await s.getWorkDir(), '/tmp');

    // The build log stays readable afterwards (REST), without follow.
    const url = (await t.stack.api('GET', `/snapshots/${snap.id}/build-logs-url`)).body.url as string;
    assert.equal(url, `${t.stack.apiUrl}/snapshots/${snap.id}/build-logs`);
    const res = await fetch(url, { headers: { authorization: `Bearer ${t.stack.key}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), new RegExp(`${marker}-start`));

    // In use: deleting is refused with a hint; once the sandbox is gone, the snapshot and its image go.
    await assert.rejects(
      t.daytona.snapshot.delete(snap),
      (e: Error) => e instanceof DaytonaConflictError && /used by 1 sandbox/.test(e.message),
    );
    await s.delete(60, true);
    const imageName = (await t.stack.api('GET', `/snapshots/${snap.id}`)).body.imageName as string;
    await t.daytona.snapshot.delete(snap);
    await assert.rejects(docker.getImage(imageName).inspect(), /no such image/i);
  });

  it('builds a dynamic image on create and reuses it on the next create', async () => {
    const image = Image.base(BASE).runCommands(`echo dyn-${Date.now()} > /tmp/dyn.txt`);
    const logs: string[] = [];
    const first = await t.sandbox({ image, onSnapshotCreateLogs: (l: string) => logs.push(l) } as never, 300);
    assert.equal(first.state, 'started');
    const content = (await first.process.executeCommand('cat /tmp/dyn.txt')).result.trim();
    assert.match(content, /^dyn-\d+$/);
    assert.ok(first.buildInfo?.dockerfileContent?.includes('RUN echo dyn-'));
    const buildLogs = await t.stack.api('GET', `/sandbox/${first.id}/build-logs`);
    assert.equal(buildLogs.status, 200);
    assert.match(buildLogs.body, /Step 2\/2 : RUN echo dyn-/);

    // Same Image: no second build, same image, and it starts like any snapshot.
    const t0 = Date.now();
    const second = await t.sandbox({ image });
    const reuseMs = Date.now() - t0;
    assert.equal((await second.process.executeCommand('cat /tmp/dyn.txt')).result.trim(), content);
    const [a, b] = await Promise.all([
      t.stack.api('GET', `/sandbox/${first.id}`),
      t.stack.api('GET', `/sandbox/${second.id}`),
    ]);
    assert.equal(a.body.image, b.body.image);
    assert.equal(
      (await t.stack.api('GET', `/sandbox/${second.id}/build-logs-url`)).status,
      404,
      'a reused image has no build of its own',
    );
    assert.ok(reuseMs < 30_000, `reuse took ${reuseMs} ms`);
  });

  it('fails a build with the failing step and its exit code', async () => {
    const image = Image.base(BASE).runCommands('echo before-failure', 'sh -c "exit 7"', 'echo never');
    const logs: string[] = [];
    const err = await t.daytona.snapshot.create({ name: 'img-fails', image }, { onLogs: (l) => logs.push(l) }).then(
      () => null,
      (e: unknown) => e as DaytonaError,
    );
    assert.ok(err instanceof DaytonaError);
    assert.match(err.message, /Step 3\/4 : RUN sh -c "exit 7" failed with exit code 7/);
    const snap = await t.daytona.snapshot.get('img-fails');
    assert.equal(snap.state, 'build_failed');
    assert.match(snap.errorReason ?? '', /exit code 7/);
    assert.doesNotMatch(logs.join('\n'), /never/);
    // A failed build leaves no image behind.
    await assert.rejects(docker.getImage(snap.imageName!).inspect(), /no such image/i);
    await t.daytona.snapshot.delete(snap);

    // The same failure on create: the sandbox ends build_failed with the reason.
    const created = await t.daytona.create({ image: Image.base(BASE).runCommands('false') }, { timeout: 300 }).then(
      () => null,
      (e: unknown) => e as DaytonaError,
    );
    assert.ok(created instanceof DaytonaError);
    assert.match(created.message, /RUN false failed with exit code 1/);
    for await (const s of t.daytona.list()) if (s.state === 'build_failed') await s.delete(60, true);
  });

  it('rejects bad input with clear errors', async () => {
    // A Dockerfile syntax error fails the build with the parser's message.
    const syntax = await t.stack.api('POST', '/snapshots', {
      name: 'img-syntax',
      buildInfo: { dockerfileContent: `FROM ${BASE}\nRUNN echo hi\n` },
    });
    assert.equal(syntax.status, 200);
    const failed = await waitSnapshot(t, 'img-syntax');
    assert.equal(failed.state, 'build_failed');
    assert.match(failed.errorReason, /Dockerfile is invalid.*unknown instruction/i);
    // No FROM at all is refused up front.
    const noFrom = await t.stack.api('POST', '/snapshots', {
      name: 'img-nofrom',
      buildInfo: { dockerfileContent: 'RUN echo hi\n' },
    });
    assert.equal(noFrom.status, 400);
    assert.match(noFrom.body.message, /no FROM line/);
    // An unknown base with no registry reachable fails fast with what to do.
    const t0 = Date.now();
    const unknown = await t.stack.api('POST', '/snapshots', {
      name: 'img-unknown-base',
      buildInfo: { dockerfileContent: 'FROM berth-test/no-such-base:1\nRUN true\n' },
    });
    assert.equal(unknown.status, 200);
    const u = await waitSnapshot(t, 'img-unknown-base');
    assert.equal(u.state, 'build_failed');
    assert.match(u.errorReason, /berth-test\/no-such-base:1 is not on this host and could not be pulled/);
    assert.match(u.errorReason, /register a local image|berth registry add|mirror/);
    assert.ok(Date.now() - t0 < 30_000, 'fails fast');
    // Registering (or creating from) an image that is neither local nor pullable is refused at once, with the same hint.
    const reg = await t.stack.api('POST', '/snapshots', {
      name: 'img-unknown-image',
      imageName: 'berth-test/no-such-image:1',
    });
    assert.equal(reg.status, 400);
    assert.match(reg.body.message, /could not be pulled/);
    assert.match(reg.body.hint, /register a local image/);
    const sb = await t.stack.api('POST', '/sandbox', { image: 'berth-test/no-such-image:1' });
    assert.equal(sb.status, 400);
    assert.equal(sb.body.code, 'invalid_argument');
    // A context hash that was never uploaded.
    const ctx = await t.stack.api('POST', '/snapshots', {
      name: 'img-ctx',
      buildInfo: {
        dockerfileContent: `FROM ${BASE}\nCOPY /x /x\n`,
        contextHashes: ['0123456789abcdef0123456789abcdef'],
      },
    });
    assert.equal(ctx.status, 400);
    assert.match(ctx.body.message, /was not uploaded/);
    // A name clash.
    const clash = await t.stack.api('POST', '/snapshots', { name: 'img-syntax', imageName: BASE });
    assert.equal(clash.status, 409);
    for (const n of ['img-syntax', 'img-unknown-base'])
      assert.equal((await t.stack.api('DELETE', `/snapshots/${n}`)).status, 204);
  });
});

async function waitSnapshot(t: SdkStack, name: string, ms = 120_000): Promise<Json> {
  const until = Date.now() + ms;
  for (;;) {
    const s = (await t.stack.api('GET', `/snapshots/${name}`)).body;
    if (['active', 'error', 'build_failed'].includes(s.state)) return s;
    if (Date.now() > until) throw new Error(`snapshot ${name} still ${s.state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
