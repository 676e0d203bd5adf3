// executeCommand through the SDK: output, exit codes, cwd, env, timeouts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaytonaProcessExecutionTimeoutError, DaytonaTimeoutError, type Sandbox } from '@daytonaio/sdk';
import { sdkStack, type SdkStack } from './helpers.js';

describe('SDK: executeCommand', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox({ envVars: { FROM_CREATE: 'yes' } });
  });
  after(async () => {
    await t?.close();
  });

  it('returns output and exit codes', async () => {
    const ok = await s.process.executeCommand('echo hello; echo err >&2');
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.result, 'hello\nerr\n');
    assert.equal(ok.artifacts?.stdout, ok.result);
    const fail = await s.process.executeCommand('echo partial; exit 3');
    assert.equal(fail.exitCode, 3);
    assert.equal(fail.result, 'partial\n');
    const missing = await s.process.executeCommand('definitely-not-a-command');
    assert.equal(missing.exitCode, 127);
  });

  it('runs shell syntax, in the work dir by default or in cwd', async () => {
    const home = await s.getUserHomeDir();
    const work = await s.getWorkDir();
    assert.ok(home && work);
    assert.equal((await s.process.executeCommand('pwd')).result.trim(), work);
    assert.equal((await s.process.executeCommand('pwd', '/tmp')).result.trim(), '/tmp');
    await s.process.executeCommand('mkdir -p sub/dir && echo x > sub/dir/f');
    assert.equal((await s.process.executeCommand('cat f', `${work}/sub/dir`)).result, 'x\n');
    assert.equal((await s.process.executeCommand('cd sub && ls | wc -l')).result.trim(), '1');
  });

  // Plain commands skip the shell (daemon/process/plain-command.ts): nothing a program sees may differ.
  it('runs a plain command as the shell would: argv[0] as typed, PATH from env, PWD, scripts without #!', async () => {
    const work = await s.getWorkDir();
    await s.fs.uploadFile(
      Buffer.from('import os, sys\nprint(sys.orig_argv[0], os.environ["PWD"], sys.argv[1:])\n'),
      `${work}/a0.py`,
    );
    assert.equal((await s.process.executeCommand('python3 a0.py x --y=z')).result, `python3 ${work} ['x', '--y=z']\n`);
    assert.equal((await s.process.executeCommand(`python3 ${work}/a0.py`, '/tmp')).result.split(' ')[1], '/tmp');
    await s.fs.createFolder(`${work}/bin`, '755');
    await s.fs.uploadFile(Buffer.from('#!/bin/sh\necho from-path $0\n'), `${work}/bin/mine`);
    await s.fs.uploadFile(Buffer.from('echo no-shebang\n'), `${work}/bin/bare`);
    await s.process.executeCommand('chmod +x bin/mine bin/bare');
    const path = { PATH: `${work}/bin:/usr/bin:/bin` };
    assert.equal((await s.process.executeCommand('mine', undefined, path)).result, `from-path ${work}/bin/mine\n`);
    assert.equal((await s.process.executeCommand('./bin/mine')).result, 'from-path ./bin/mine\n');
    assert.equal((await s.process.executeCommand('bin/bare')).result, 'no-shebang\n', 'the shell runs it');
    const missing = await s.process.executeCommand('no-such-program --flag');
    assert.equal(missing.exitCode, 127);
    assert.match(missing.result, /no-such-program: command not found/);
    assert.equal((await s.process.executeCommand('echo -n plain')).result, 'plain');
    assert.equal((await s.process.executeCommand('ls -d /tmp /nonexistent')).exitCode, 2);
  });

  it('passes environment variables', async () => {
    assert.equal(
      (await s.process.executeCommand('echo $FROM_CREATE-$A-$B', undefined, { A: '1', B: 'two words' })).result,
      'yes-1-two words\n',
    );
    assert.equal((await s.process.executeCommand('echo "[$A]"')).result, '[]\n');
  });

  it('updates the environment of later commands and reports metrics', async () => {
    await s.updateEnv({ LATER: 'set-later' });
    assert.equal((await s.process.executeCommand('echo $LATER')).result, 'set-later\n');
    await s.updateEnv({}, { unset: ['LATER'] });
    assert.equal((await s.process.executeCommand('echo "[$LATER]"')).result, '[]\n');
    const m = await s.getMetricsLatest();
    assert.ok(m.cpuCount >= 1);
    assert.ok(m.memTotal > 0 && m.memUsed > 0);
    assert.ok(m.diskTotal > 0);
  });

  it('times out long commands with a typed error and kills them', async () => {
    const started = Date.now();
    const err = await s.process.executeCommand('sleep 30; echo done > /tmp/late', undefined, undefined, 2).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(
      err instanceof DaytonaProcessExecutionTimeoutError,
      `got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`,
    );
    assert.ok(err instanceof DaytonaTimeoutError);
    assert.ok(Date.now() - started < 10_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await s.process.executeCommand('pgrep -x sleep | wc -l')).result.trim(), '0');
  });
});
