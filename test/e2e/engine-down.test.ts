// The Docker engine goes away and comes back (the server reaches it through a
// socket forwarder the test can close): requests get 503 with a hint, stored
// states do not change, and everything resumes when the engine is back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';

class SocketForwarder {
  private server: net.Server | null = null;
  private readonly conns = new Set<net.Socket>();
  constructor(
    readonly path: string,
    private readonly target: string,
  ) {}
  async open(): Promise<void> {
    if (this.server) return;
    rmSync(this.path, { force: true });
    this.server = net.createServer((c) => {
      const up = net.connect(this.target);
      this.conns.add(c).add(up);
      c.pipe(up).pipe(c);
      const drop = () => {
        c.destroy();
        up.destroy();
      };
      c.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => this.server!.listen(this.path, r));
  }
  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server = null;
  }
}

describe('Docker engine down and back', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'berth-fwd-'));
  const fwd = new SocketForwarder(join(dir, 'docker.sock'), '/var/run/docker.sock');
  before(async () => {
    await fwd.open();
    stack = await startStack({ config: { dockerSocket: fwd.path } });
  });
  after(async () => {
    await fwd.open().catch(() => {});
    await stack?.close();
    await fwd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 while the engine is away, keeps states, and resumes', { timeout: 120_000 }, async () => {
    const s = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1, autoStopInterval: 0 });
    await fwd.close();

    const health = await stack.api('GET', '/health');
    assert.equal(health.status, 503);
    assert.equal(health.body.engine.ok, false);
    assert.equal(health.body.store.ok, true);

    const create = await stack.api('POST', '/sandbox', { cpu: 1, memory: 1 });
    assert.equal(create.status, 503);
    assert.equal(create.body.code, 'unavailable');
    assert.match(create.body.hint, /Docker engine/);

    const stop = await stack.api('POST', `/sandbox/${s.id}/stop`);
    assert.equal(stop.status, 503);
    await stack.server.orch.reconciler.sweep();
    assert.equal((await stack.api('GET', `/sandbox/${s.id}`)).body.state, 'started');
    // The daemon link does not go through the engine: the sandbox keeps working.
    assert.equal((await exec(stack, s.id, 'echo still here')).result, 'still here\n');
    assert.equal((await stack.api('GET', '/sandbox')).body.items.length, 1, 'no half-created sandbox');

    await fwd.open();
    assert.equal((await stack.api('GET', '/health')).status, 200);
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/stop`)).body.state, 'stopped');
    assert.equal((await stack.api('POST', `/sandbox/${s.id}/start`)).body.state, 'started');
    const again = await createSandbox(stack, { cpu: 1, memory: 1, disk: 1 });
    await stack.api('DELETE', `/sandbox/${again.id}`);
    await stack.api('DELETE', `/sandbox/${s.id}`);
  });
});
