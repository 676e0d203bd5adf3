// Interactive terminals through the SDK: typing, reading, resizing, exit codes, kill.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Sandbox } from '@daytonaio/sdk';
import { eventually, sdkStack, type SdkStack } from './helpers.js';

describe('SDK: PTY', () => {
  let t: SdkStack;
  let s: Sandbox;
  before(async () => {
    t = await sdkStack();
    s = await t.sandbox();
  });
  after(async () => {
    await t?.close();
  });

  it('types into a terminal, reads its output, resizes it and gets the exit code', async () => {
    let out = '';
    const pty = await s.process.createPty({
      id: 'term',
      cols: 80,
      rows: 24,
      envs: { PTYVAR: 'from-sdk' },
      onData: (d) => void (out += Buffer.from(d).toString()),
    });
    await pty.waitForConnection();
    await pty.sendInput('echo "typed $PTYVAR"\n');
    await eventually(() => out.includes('typed from-sdk'));
    const info = await pty.resize(100, 30);
    assert.equal(info.cols, 100);
    assert.equal(info.rows, 30);
    await pty.sendInput('stty size\n');
    await eventually(() => out.includes('30 100'));
    assert.ok((await s.process.listPtySessions()).some((p) => p.id === 'term'));
    await pty.sendInput('exit 3\n');
    const result = await pty.wait();
    assert.equal(result.exitCode, 3);
  });

  it('kills a terminal', async () => {
    const pty = await s.process.createPty({ id: 'killme', onData: () => {} });
    await pty.waitForConnection();
    await pty.sendInput('sleep 100\n');
    await pty.kill();
    const result = await pty.wait();
    assert.notEqual(result.exitCode, 0);
    await eventually(async () => !(await s.process.listPtySessions()).some((p) => p.id === 'killme' && p.active));
  });
});
