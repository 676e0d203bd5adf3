// Berth's tools through the SDK's real Client, over Streamable HTTP and over
// stdio (`node bin/berth.js mcp`), against a real server and Docker: one
// sandbox is created over HTTP, used from both transports, deleted over stdio.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { connectHttp, connectStdio, text, type Connected } from './helpers.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

type Result = { content?: unknown; structuredContent?: any; isError?: boolean };
const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<Result> => (await c.callTool({ name, arguments: args })) as Result;
const ok = async (c: Client, name: string, args: Record<string, unknown>): Promise<any> => {
  const r = await call(c, name, args);
  assert.ok(!r.isError, `${name} failed: ${text(r)}`);
  return r.structuredContent;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('MCP tools', () => {
  let stack: Stack;
  let http: Connected;
  let sandbox: string;

  before(async () => {
    stack = await startStack();
    http = await connectHttp(stack.url, stack.key);
  });
  after(async () => {
    await http?.close();
    await stack?.close();
  });

  it('lists tools with schemas and annotations', async () => {
    const { tools } = await http.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['sandbox_create', 'sandbox_list', 'exec', 'fs_read', 'fs_write', 'fs_edit']) assert.ok(names.includes(n), n);
    const exec = tools.find((t) => t.name === 'exec')!;
    assert.equal(exec.inputSchema.type, 'object');
    assert.ok(exec.outputSchema);
    assert.equal(exec.annotations?.readOnlyHint, false);
    assert.equal(tools.find((t) => t.name === 'sandbox_list')!.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'sandbox_delete')!.annotations?.destructiveHint, true);
  });

  it('creates a sandbox', async () => {
    const out = await ok(http.client, 'sandbox_create', { name: 'mcp-tools', cpu: 1, memory: 1, labels: { suite: 'mcp' } });
    assert.equal(out.sandbox.state, 'started');
    assert.equal(out.sandbox.labels.suite, 'mcp');
    sandbox = out.sandbox.id;
    const listed = await ok(http.client, 'sandbox_list', { labels: { suite: 'mcp' } });
    assert.deepEqual(
      listed.sandboxes.map((s: { id: string }) => s.id),
      [sandbox],
    );
  });

  it('runs a command and streams progress', async () => {
    const r = await ok(http.client, 'exec', { sandbox_id: sandbox, command: 'echo out; echo err >&2; exit 3' });
    assert.deepEqual([r.exit_code, r.stdout, r.stderr, r.timed_out], [3, 'out\n', 'err\n', false]);

    const progress: { progress: number; message?: string }[] = [];
    const res = (await http.client.callTool({ name: 'exec', arguments: { sandbox_id: sandbox, command: 'for i in 1 2 3; do echo line$i; sleep 0.3; done' } }, undefined, { onprogress: (p) => progress.push(p) })) as Result;
    assert.equal(res.structuredContent.stdout, 'line1\nline2\nline3\n');
    assert.ok(progress.length >= 3, `progress: ${JSON.stringify(progress)}`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress >= progress[i - 1]!.progress);
    assert.ok(progress.some((p) => p.message?.includes('line2')));

    const timed = await ok(http.client, 'exec', { sandbox_id: sandbox, command: 'sleep 5', timeout: 0.5 });
    assert.equal(timed.timed_out, true);
  });

  it('kills the process when the call is cancelled', async () => {
    const ac = new AbortController();
    const pending = http.client.callTool({ name: 'exec', arguments: { sandbox_id: sandbox, command: 'echo $$ > /tmp/cancel.pid; exec sleep 300' } }, undefined, { signal: ac.signal });
    let pid = '';
    for (let i = 0; i < 50 && !pid; i++) {
      await sleep(100);
      pid = (await ok(http.client, 'exec', { sandbox_id: sandbox, command: 'cat /tmp/cancel.pid 2>/dev/null || true' })).stdout.trim();
    }
    assert.match(pid, /^\d+$/);
    ac.abort('test cancels');
    await assert.rejects(pending);
    let alive = 'alive';
    for (let i = 0; i < 50 && alive === 'alive'; i++) {
      await sleep(100);
      alive = (await ok(http.client, 'exec', { sandbox_id: sandbox, command: `kill -0 ${pid} 2>/dev/null && echo alive || echo gone` })).stdout.trim();
    }
    assert.equal(alive, 'gone');
  });

  it('writes, edits, reads and lists files', async () => {
    const w = await ok(http.client, 'fs_write', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt', content: 'alpha\nbeta\ngamma\ndelta\n' });
    assert.equal(w.file.size, 23);
    const part = await ok(http.client, 'fs_read', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt', start_line: 2, end_line: 3 });
    assert.deepEqual([part.content, part.start_line, part.end_line, part.truncated], ['beta\ngamma\n', 2, 3, true]);

    const edit = await ok(http.client, 'fs_edit', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt', edits: [{ old_text: 'beta\n', new_text: 'BETA\nbeta-2\n' }] });
    assert.equal(edit.replacements, 1);
    assert.match(edit.diff, /^-beta$/m);
    assert.match(edit.diff, /^\+BETA$/m);
    assert.match(edit.diff, /^@@ -1,4 \+1,5 @@$/m);
    const whole = await ok(http.client, 'fs_read', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt' });
    assert.equal(whole.content, 'alpha\nBETA\nbeta-2\ngamma\ndelta\n');

    const missing = await call(http.client, 'fs_edit', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt', edits: [{ old_text: 'nope', new_text: 'x' }] });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /not found.*\nHint: old_text must match/s);

    await ok(http.client, 'fs_write', { sandbox_id: sandbox, path: '/tmp/mcp-test/dot.png', content: PNG, encoding: 'base64' });
    const img = (await http.client.callTool({ name: 'fs_read', arguments: { sandbox_id: sandbox, path: '/tmp/mcp-test/dot.png' } })) as Result & { content: { type: string; data?: string; mimeType?: string }[] };
    assert.equal(img.structuredContent.encoding, 'base64');
    assert.equal(img.structuredContent.content, PNG);
    assert.ok(img.content.some((c) => c.type === 'image' && c.mimeType === 'image/png' && c.data === PNG));

    const list = await ok(http.client, 'fs_list', { sandbox_id: sandbox, path: '/tmp/mcp-test' });
    assert.deepEqual(list.entries.map((e: { name: string }) => e.name).sort(), ['dot.png', 'notes.txt']);
    await ok(http.client, 'fs_move', { sandbox_id: sandbox, source: '/tmp/mcp-test/dot.png', destination: '/tmp/mcp-test/img/dot.png' });
    assert.equal((await ok(http.client, 'fs_stat', { sandbox_id: sandbox, path: '/tmp/mcp-test/img/dot.png' })).file.size, Buffer.from(PNG, 'base64').length);
    await ok(http.client, 'fs_delete', { sandbox_id: sandbox, path: '/tmp/mcp-test/img', recursive: true });
    assert.equal((await call(http.client, 'fs_stat', { sandbox_id: sandbox, path: '/tmp/mcp-test/img' })).isError, true);
  });

  it('reads sandbox and file resources, with completions', async () => {
    const { resources } = await http.client.listResources();
    assert.ok(resources.some((r) => r.uri === `sandbox://${sandbox}` && r.name === 'mcp-tools'));
    const info = await http.client.readResource({ uri: `sandbox://${sandbox}` });
    assert.equal(JSON.parse((info.contents[0] as { text: string }).text).name, 'mcp-tools');
    const file = await http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt` });
    assert.deepEqual(file.contents[0], { uri: `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt`, mimeType: 'text/plain', text: 'alpha\nBETA\nbeta-2\ngamma\ndelta\n' });
    const dir = await http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/mcp-test` });
    assert.deepEqual(JSON.parse((dir.contents[0] as { text: string }).text).entries.map((e: { name: string }) => e.name), ['notes.txt']);
    await assert.rejects(http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/none.txt` }), /not found/);

    const ids = await http.client.complete({ ref: { type: 'ref/resource', uri: 'sandbox://{id}/files/{+path}' }, argument: { name: 'id', value: 'mcp-' } });
    assert.deepEqual(ids.completion.values, ['mcp-tools']);
    const paths = await http.client.complete({ ref: { type: 'ref/resource', uri: 'sandbox://{id}/files/{+path}' }, argument: { name: 'path', value: 'tmp/mcp-t' }, context: { arguments: { id: sandbox } } });
    assert.deepEqual(paths.completion.values, ['tmp/mcp-test/']);
    const prompt = await http.client.getPrompt({ name: 'review_file', arguments: { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt' } });
    assert.equal((prompt.messages[0]!.content as { type: string }).type, 'resource');
  });

  it('notifies subscribers when a file changes', async () => {
    const updated: string[] = [];
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    http.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    const uri = `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt`;
    await http.client.subscribeResource({ uri });
    await sleep(2500); // the watcher's first look
    await ok(http.client, 'fs_write', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt', content: 'changed\n' });
    for (let i = 0; i < 60 && !updated.includes(uri); i++) await sleep(100);
    assert.ok(updated.includes(uri), 'resources/updated received');
    await http.client.unsubscribeResource({ uri });
  });

  it('answers a stopped sandbox with a hint to start it', async () => {
    await ok(http.client, 'sandbox_stop', { sandbox_id: sandbox });
    const r = await call(http.client, 'exec', { sandbox_id: sandbox, command: 'true' });
    assert.equal(r.isError, true);
    assert.match(text(r), /stopped — call sandbox_start/);
    assert.equal((await ok(http.client, 'sandbox_start', { sandbox_id: sandbox })).sandbox.state, 'started');
    const labels = await ok(http.client, 'sandbox_set_labels', { sandbox_id: sandbox, labels: { suite: 'mcp', step: 'stdio' } });
    assert.equal(labels.sandbox.labels.step, 'stdio');
    assert.equal((await ok(http.client, 'sandbox_set_autostop', { sandbox_id: sandbox, auto_stop_minutes: 0 })).sandbox.auto_stop_minutes, 0);
  });

  it('serves the same tools over stdio (berth mcp) and deletes the sandbox there', async () => {
    const stdio = await connectStdio(stack);
    try {
      const [a, b] = await Promise.all([stdio.client.listTools(), http.client.listTools()]);
      assert.deepEqual(
        a.tools.map((t) => t.name),
        b.tools.map((t) => t.name),
      );
      const r = await ok(stdio.client, 'exec', { sandbox_id: sandbox, command: 'cat /tmp/mcp-test/notes.txt' });
      assert.equal(r.stdout, 'changed\n');
      const progress: unknown[] = [];
      await stdio.client.callTool({ name: 'exec', arguments: { sandbox_id: sandbox, command: 'echo a; sleep 0.3; echo b' } }, undefined, { onprogress: (p) => progress.push(p) });
      assert.ok(progress.length >= 2);
      const file = await stdio.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt` });
      assert.equal((file.contents[0] as { text: string }).text, 'changed\n');
      const del = await ok(stdio.client, 'sandbox_delete', { sandbox_id: sandbox });
      assert.match(del.sandbox.state, /destroy/);
      assert.equal((await call(stdio.client, 'sandbox_get', { sandbox_id: sandbox })).isError, true);
    } finally {
      await stdio.close();
    }
    assert.equal(stdio.stderr(), '');
  });
});
