// Private registries and build contexts with the real SDK: images pulled from
// a registry with authentication (scripts/test-registry.sh) with good and bad
// credentials; Image.addLocalFile/addLocalDir uploaded through Berth's
// S3-compatible endpoint and built; the endpoint's checks (signature, the
// organization's own prefix, size); `berth registry` and `berth snapshot` in
// the CLI.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DaytonaError, Image } from '@daytonaio/sdk';
import { otherOrgKey, sdkStack, type SdkStack } from '../sdk/helpers.js';
import { docker } from '../helpers/docker.js';
import type { Json } from '../helpers/json.js';

const REGISTRY = '127.0.0.1:5055';
const AUTH = { username: 'berth-test', password: 'berth-test-pw', serveraddress: REGISTRY };
const BASE = 'berth/sandbox-base:latest';

/** Pushes the tiny static busybox image to the test registry under `repo:tag` and drops the local tag. */
async function pushTiny(repo: string, tag: string): Promise<string> {
  const ref = `${REGISTRY}/${repo}:${tag}`;
  await docker.getImage('berth-test/busybox:static').tag({ repo: `${REGISTRY}/${repo}`, tag });
  const stream = (await (docker.getImage(ref).push as (o: unknown) => Promise<NodeJS.ReadableStream>)({
    authconfig: AUTH,
  })) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) =>
      err ? reject(err) : out.find((o) => o.error) ? reject(new Error(out.find((o) => o.error)!.error)) : resolve(),
    ),
  );
  await docker.getImage(ref).remove({ noprune: true });
  return ref;
}

function berth(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/berth.js', ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('images: registries and build contexts', () => {
  let t: SdkStack;
  let work: string;
  const tag = `t${Date.now().toString(36)}`;
  before(async () => {
    const code = await fetch(`http://${REGISTRY}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    assert.equal(code, 401, 'the test registry (scripts/test-registry.sh) must be running with authentication');
    t = await sdkStack({ config: { buildContextLimitBytes: 2 * 1024 * 1024 } });
    work = mkdtempSync(join(tmpdir(), 'berth-ctx-test-'));
  });
  after(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
    // By tag, never by id: the pushed tags share their image with berth-test/busybox:static.
    for (const i of await docker.listImages({ filters: { reference: [`${REGISTRY}/team/*`] } })) {
      for (const ref of i.RepoTags ?? [])
        await docker
          .getImage(ref)
          .remove({ noprune: true })
          .catch(() => {});
    }
  });

  it('pulls private images with stored credentials, and says why a wrong password fails', async () => {
    const good = await pushTiny('team/tiny', tag);
    // Without credentials the registry refuses, and the error says what to add.
    const anon = await t.daytona.create({ image: good }, { timeout: 120 }).then(
      () => null,
      (e: unknown) => e as DaytonaError,
    );
    assert.ok(anon instanceof DaytonaError);
    assert.match(anon.message, /refused to give image|could not be pulled/);
    assert.match(anon.message, /docker-registry|berth registry add/);

    const created = await t.stack.api('POST', '/docker-registry', {
      name: 'team',
      url: `http://${REGISTRY}`,
      username: 'berth-test',
      password: 'berth-test-pw',
      project: 'team',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.url, REGISTRY);
    assert.equal(created.body.password, undefined, 'never returned');
    const list = await t.stack.api('GET', '/docker-registry');
    assert.deepEqual(
      list.body.map((r: Json) => r.name),
      ['team'],
    );
    assert.ok(!JSON.stringify(list.body).includes('berth-test-pw'));
    const row = await t.stack.server.store.knex('docker_registries').where({ id: created.body.id }).first();
    assert.ok(!String(row.password).includes('berth-test-pw'), 'encrypted at rest');

    const s = await t.sandbox({ image: good });
    assert.equal(s.state, 'started');
    assert.equal((await s.process.executeCommand('echo pulled-from-registry')).result.trim(), 'pulled-from-registry');

    // A snapshot of a private image is pulled the same way.
    const snap = await t.stack.api('POST', '/snapshots', { name: 'img-private', imageName: good });
    assert.equal(snap.status, 200);

    // A wrong password: a clear error with the fix.
    const other = await pushTiny('team/tiny2', tag);
    assert.equal(
      (await t.stack.api('PATCH', `/docker-registry/${created.body.id}`, { password: 'wrong-password' })).status,
      200,
    );
    const bad = await t.daytona.create({ image: other }, { timeout: 120 }).then(
      () => null,
      (e: unknown) => e as DaytonaError,
    );
    assert.ok(bad instanceof DaytonaError);
    assert.match(bad.message, /registry refused to give image .*tiny2/);
    assert.match(bad.message, /stored registry credentials are wrong/);
    for await (const x of t.daytona.list()) if (x.state === 'error') await x.delete(60, true);
    assert.equal((await t.stack.api('DELETE', `/docker-registry/${created.body.id}`)).status, 204);
    assert.equal((await t.stack.api('GET', '/docker-registry')).body.length, 0);
    await s.delete(60, true);
  });

  it('builds Images with local files and folders uploaded through the object store', async () => {
    const file = join(work, 'hello.txt');
    writeFileSync(file, 'hello from a local file\n');
    const dir = join(work, 'src');
    mkdirSync(join(dir, 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'main.py'), 'print("main")\n');
    writeFileSync(join(dir, 'pkg', 'util.py'), 'X = 42\n');
    const image = Image.base(BASE)
      .addLocalFile(file, '/home/berth/app/hello.txt')
      .addLocalDir(dir, '/home/berth/app/src')
      .runCommands('cat /home/berth/app/hello.txt');
    const logs: string[] = [];
    const snap = await t.daytona.snapshot.create({ name: 'img-context', image }, { onLogs: (l) => logs.push(l) });
    assert.equal(snap.state, 'active');
    assert.match(logs.join('\n'), /hello from a local file/);
    const s = await t.sandbox({ snapshot: 'img-context' });
    assert.equal((await s.process.executeCommand('cat /home/berth/app/hello.txt')).result, 'hello from a local file\n');
    assert.equal(
      (
        await s.process.executeCommand('cd /home/berth/app/src && python3 -c "import pkg.util; print(pkg.util.X)"')
      ).result.trim(),
      '42',
    );
    // The same context on create (a dynamic image): uploaded once, found by its hash.
    const d = await t.sandbox({ image: Image.base(BASE).addLocalFile(file, '/tmp/again.txt') }, 300);
    assert.equal((await d.process.executeCommand('cat /tmp/again.txt')).result, 'hello from a local file\n');
    await s.delete(60, true);
    await d.delete(60, true);
  });

  it('refuses uploads that are too large, unsigned, wrongly signed or outside the organization', async () => {
    const big = join(work, 'big.bin');
    writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 7));
    await assert.rejects(
      t.daytona.snapshot.create({ name: 'img-huge', image: Image.base(BASE).addLocalFile(big, '/tmp/big.bin') }),
      /EntityTooLarge|over 2097152 bytes/,
    );

    const access = (await t.stack.api('GET', '/object-storage/push-access')).body;
    assert.equal(access.storageUrl, t.stack.server.config.publicUrl);
    assert.equal(access.organizationId, t.stack.organizationId);
    const client = (secret = access.secret) =>
      new S3Client({
        region: access.region,
        endpoint: access.storageUrl,
        forcePathStyle: true,
        credentials: { accessKeyId: access.accessKey, secretAccessKey: secret },
      });
    const put = (c: S3Client, key: string) =>
      c.send(new PutObjectCommand({ Bucket: access.bucket, Key: key, Body: 'x' }));
    await put(client(), `${access.organizationId}/0123456789abcdef0123456789abcdef/context.tar`);
    await assert.rejects(
      put(client('not-the-secret'), `${access.organizationId}/x/context.tar`),
      /SignatureDoesNotMatch|signature does not match/,
    );
    const other = await otherOrgKey(t.stack, ['write:snapshots']);
    await assert.rejects(
      put(client(), `${other.organizationId}/0123456789abcdef0123456789abcdef/context.tar`),
      /AccessDenied|reach/,
    );
    const anonymous = await fetch(`${access.storageUrl}/${access.bucket}/${access.organizationId}/x/context.tar`, {
      method: 'PUT',
      body: 'x',
    });
    assert.equal(anonymous.status, 403);
    // A key the other organization got cannot read or list this one's uploads either.
    const theirs = (await t.stack.api('GET', '/object-storage/push-access', undefined, { key: other.key })).body;
    const theirClient = new S3Client({
      region: theirs.region,
      endpoint: theirs.storageUrl,
      forcePathStyle: true,
      credentials: { accessKeyId: theirs.accessKey, secretAccessKey: theirs.secret },
    });
    await assert.rejects(
      put(theirClient, `${access.organizationId}/0123456789abcdef0123456789abcdef/context.tar`),
      /AccessDenied|reach/,
    );
    for (const c of [theirClient]) c.destroy();
  });

  it('manages registries and builds snapshots from the CLI', async () => {
    const env = { BERTH_API_URL: t.stack.apiUrl, BERTH_API_KEY: t.stack.key, BERTH_CONFIG: join(work, 'cli.json') };
    const add = await berth(
      ['registry', 'add', 'cli-reg', '--url', REGISTRY, '--username', 'berth-test', '--password-stdin'],
      env,
      'berth-test-pw\n',
    );
    assert.equal(add.code, 0, add.stderr);
    const list = await berth(['registry', 'list', '--json'], env);
    assert.equal(JSON.parse(list.stdout)[0].name, 'cli-reg');
    assert.ok(!list.stdout.includes('berth-test-pw'));
    assert.equal((await berth(['registry', 'remove', 'cli-reg'], env)).code, 0);

    const ctx = join(work, 'cli-ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'app.txt'), 'from the cli context\n');
    writeFileSync(join(work, 'Dockerfile'), `FROM ${BASE}\nCOPY app.txt /tmp/app.txt\nRUN cat /tmp/app.txt\n`);
    const created = await berth(
      ['snapshot', 'create', 'img-cli', '--dockerfile', join(work, 'Dockerfile'), '--context', ctx, '--follow'],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /from the cli context/, 'the build log streams to stderr');
    assert.match(created.stdout, /img-cli\s+active/);
    const logs = await berth(['snapshot', 'logs', 'img-cli'], env);
    assert.match(logs.stdout, /Step 3\/3 : RUN cat \/tmp\/app.txt/);
    const listed = await berth(['snapshot', 'list', '--json'], env);
    assert.ok(JSON.parse(listed.stdout).some((s: Json) => s.name === 'img-cli' && s.state === 'active'));
    const failing = join(work, 'Dockerfile.bad');
    writeFileSync(failing, `FROM ${BASE}\nRUN exit 3\n`);
    const bad = await berth(['snapshot', 'create', 'img-cli-bad', '--dockerfile', failing, '--follow'], env);
    assert.equal(bad.code, 5);
    assert.match(bad.stderr, /exit code 3/);
    assert.equal((await berth(['snapshot', 'delete', 'img-cli'], env)).code, 0);
    assert.equal((await berth(['snapshot', 'delete', 'img-cli-bad'], env)).code, 0);

    const vol = await berth(['volume', 'create', 'cli-vol'], env);
    assert.equal(vol.code, 0, vol.stderr);
    assert.ok(
      JSON.parse((await berth(['volume', 'list', '--json'], env)).stdout).some((v: Json) => v.name === 'cli-vol'),
    );
    assert.equal((await berth(['volume', 'delete', 'cli-vol'], env)).code, 0);

    const s = await t.sandbox();
    await s.process.executeCommand('echo cli > ~/cli.txt');
    const snap = await berth(['sandbox', 'snapshot', s.id, 'img-cli-sandbox'], env);
    assert.equal(snap.code, 0, snap.stderr);
    const fork = await berth(['sandbox', 'fork', s.id, '--name', 'cli-fork', '--json'], env);
    assert.equal(fork.code, 0, fork.stderr);
    assert.equal(JSON.parse(fork.stdout).state, 'started');
    const paused = await berth(['sandbox', 'pause', 'cli-fork', '--json'], env);
    assert.equal(JSON.parse(paused.stdout).state, 'paused');
    const resized = await berth(['sandbox', 'resize', s.id, '--memory', '2', '--json'], env);
    assert.equal(JSON.parse(resized.stdout).memory, 2);
    assert.equal((await berth(['sandbox', 'delete', 'cli-fork'], env)).code, 0);
    await s.delete(60, true);
    assert.equal((await berth(['snapshot', 'delete', 'img-cli-sandbox'], env)).code, 0);
  });
});
