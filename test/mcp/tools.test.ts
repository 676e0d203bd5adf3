// Berth's tools through the SDK's real Client, over Streamable HTTP and over
// stdio (`node bin/berth.js mcp`), against a real server and Docker: one
// sandbox is created over HTTP, used from both transports, deleted over stdio.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { connectHttp, connectStdio, text, type Connected } from './helpers.js';
import type { Json } from '../helpers/json.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

type Result = { content?: unknown; structuredContent?: Json; isError?: boolean };
const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<Result> =>
  (await c.callTool({ name, arguments: args })) as Result;
const ok = async (c: Client, name: string, args: Record<string, unknown>): Promise<Json> => {
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
    for (const n of ['sandbox_create', 'sandbox_list', 'exec', 'fs_read', 'fs_write', 'fs_edit'])
      assert.ok(names.includes(n), n);
    const exec = tools.find((t) => t.name === 'exec')!;
    assert.equal(exec.inputSchema.type, 'object');
    assert.ok(exec.outputSchema);
    assert.equal(exec.annotations?.readOnlyHint, false);
    assert.equal(tools.find((t) => t.name === 'sandbox_list')!.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'sandbox_delete')!.annotations?.destructiveHint, true);
  });

  it('creates a sandbox', async () => {
    const out = await ok(http.client, 'sandbox_create', {
      name: 'mcp-tools',
      cpu: 1,
      memory: 1,
      labels: { suite: 'mcp' },
    });
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
    const res = (await http.client.callTool(
      { name: 'exec', arguments: { sandbox_id: sandbox, command: 'for i in 1 2 3; do echo line$i; sleep 0.3; done' } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as Result;
    assert.equal(res.structuredContent.stdout, 'line1\nline2\nline3\n');
    assert.ok(progress.length >= 3, `progress: ${JSON.stringify(progress)}`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress >= progress[i - 1]!.progress);
    assert.ok(progress.some((p) => p.message?.includes('line2')));

    const timed = await ok(http.client, 'exec', { sandbox_id: sandbox, command: 'sleep 5', timeout: 0.5 });
    assert.equal(timed.timed_out, true);
  });

  it('kills the process when the call is cancelled', async () => {
    const ac = new AbortController();
    const pending = http.client.callTool(
      { name: 'exec', arguments: { sandbox_id: sandbox, command: 'echo $$ > /tmp/cancel.pid; exec sleep 300' } },
      undefined,
      { signal: ac.signal },
    );
    let pid = '';
    for (let i = 0; i < 50 && !pid; i++) {
      await sleep(100);
      pid = (
        await ok(http.client, 'exec', { sandbox_id: sandbox, command: 'cat /tmp/cancel.pid 2>/dev/null || true' })
      ).stdout.trim();
    }
    assert.match(pid, /^\d+$/);
    ac.abort('test cancels');
    await assert.rejects(pending);
    let alive = 'alive';
    for (let i = 0; i < 50 && alive === 'alive'; i++) {
      await sleep(100);
      alive = (
        await ok(http.client, 'exec', {
          sandbox_id: sandbox,
          command: `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`,
        })
      ).stdout.trim();
    }
    assert.equal(alive, 'gone');
  });

  it('writes, edits, reads and lists files', async () => {
    const w = await ok(http.client, 'fs_write', {
      sandbox_id: sandbox,
      path: '/tmp/mcp-test/notes.txt',
      content: 'alpha\nbeta\ngamma\ndelta\n',
    });
    assert.equal(w.file.size, 23);
    const part = await ok(http.client, 'fs_read', {
      sandbox_id: sandbox,
      path: '/tmp/mcp-test/notes.txt',
      start_line: 2,
      end_line: 3,
    });
    assert.deepEqual([part.content, part.start_line, part.end_line, part.truncated], ['beta\ngamma\n', 2, 3, true]);

    const edit = await ok(http.client, 'fs_edit', {
      sandbox_id: sandbox,
      path: '/tmp/mcp-test/notes.txt',
      edits: [{ old_text: 'beta\n', new_text: 'BETA\nbeta-2\n' }],
    });
    assert.equal(edit.replacements, 1);
    assert.match(edit.diff, /^-beta$/m);
    assert.match(edit.diff, /^\+BETA$/m);
    assert.match(edit.diff, /^@@ -1,4 \+1,5 @@$/m);
    const whole = await ok(http.client, 'fs_read', { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt' });
    assert.equal(whole.content, 'alpha\nBETA\nbeta-2\ngamma\ndelta\n');

    const missing = await call(http.client, 'fs_edit', {
      sandbox_id: sandbox,
      path: '/tmp/mcp-test/notes.txt',
      edits: [{ old_text: 'nope', new_text: 'x' }],
    });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /not found.*\nHint: old_text must match/s);

    await ok(http.client, 'fs_write', {
      sandbox_id: sandbox,
      path: '/tmp/mcp-test/dot.png',
      content: PNG,
      encoding: 'base64',
    });
    const img = (await http.client.callTool({
      name: 'fs_read',
      arguments: { sandbox_id: sandbox, path: '/tmp/mcp-test/dot.png' },
    })) as Result & { content: { type: string; data?: string; mimeType?: string }[] };
    assert.equal(img.structuredContent.encoding, 'base64');
    assert.equal(img.structuredContent.content, PNG);
    assert.ok(img.content.some((c) => c.type === 'image' && c.mimeType === 'image/png' && c.data === PNG));

    const list = await ok(http.client, 'fs_list', { sandbox_id: sandbox, path: '/tmp/mcp-test' });
    assert.deepEqual(list.entries.map((e: { name: string }) => e.name).sort(), ['dot.png', 'notes.txt']);
    await ok(http.client, 'fs_move', {
      sandbox_id: sandbox,
      source: '/tmp/mcp-test/dot.png',
      destination: '/tmp/mcp-test/img/dot.png',
    });
    assert.equal(
      (await ok(http.client, 'fs_stat', { sandbox_id: sandbox, path: '/tmp/mcp-test/img/dot.png' })).file.size,
      Buffer.from(PNG, 'base64').length,
    );
    await ok(http.client, 'fs_delete', { sandbox_id: sandbox, path: '/tmp/mcp-test/img', recursive: true });
    assert.equal(
      (await call(http.client, 'fs_stat', { sandbox_id: sandbox, path: '/tmp/mcp-test/img' })).isError,
      true,
    );
  });

  it('reads sandbox and file resources, with completions', async () => {
    const { resources } = await http.client.listResources();
    assert.ok(resources.some((r) => r.uri === `sandbox://${sandbox}` && r.name === 'mcp-tools'));
    const info = await http.client.readResource({ uri: `sandbox://${sandbox}` });
    assert.equal(JSON.parse((info.contents[0] as { text: string }).text).name, 'mcp-tools');
    const file = await http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt` });
    assert.deepEqual(file.contents[0], {
      uri: `sandbox://${sandbox}/files/tmp/mcp-test/notes.txt`,
      mimeType: 'text/plain',
      text: 'alpha\nBETA\nbeta-2\ngamma\ndelta\n',
    });
    const dir = await http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/mcp-test` });
    assert.deepEqual(
      JSON.parse((dir.contents[0] as { text: string }).text).entries.map((e: { name: string }) => e.name),
      ['notes.txt'],
    );
    await assert.rejects(
      http.client.readResource({ uri: `sandbox://${sandbox}/files/tmp/none.txt` }),
      /-32002.*no such file/,
    );

    const ids = await http.client.complete({
      ref: { type: 'ref/resource', uri: 'sandbox://{id}/files/{+path}' },
      argument: { name: 'id', value: 'mcp-' },
    });
    assert.deepEqual(ids.completion.values, ['mcp-tools']);
    const paths = await http.client.complete({
      ref: { type: 'ref/resource', uri: 'sandbox://{id}/files/{+path}' },
      argument: { name: 'path', value: 'tmp/mcp-t' },
      context: { arguments: { id: sandbox } },
    });
    assert.deepEqual(paths.completion.values, ['tmp/mcp-test/']);
    const prompt = await http.client.getPrompt({
      name: 'review_file',
      arguments: { sandbox_id: sandbox, path: '/tmp/mcp-test/notes.txt' },
    });
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

  it('runs background processes: start, output with long-poll, input, kill', async () => {
    const started = await ok(http.client, 'exec_start', {
      sandbox_id: sandbox,
      command: 'echo ready; read line; echo got:$line; sleep 300',
      env: { GREETING: 'hi' },
    });
    const pid = started.process_id;
    let out = await ok(http.client, 'process_output', { sandbox_id: sandbox, process_id: pid, wait_ms: 5000 });
    assert.match(out.output, /ready/);
    assert.equal(out.running, true);
    await ok(http.client, 'process_input', { sandbox_id: sandbox, process_id: pid, data: 'ping\n' });
    let seen = out.output;
    for (let i = 0; i < 10 && !seen.includes('got:ping'); i++) {
      out = await ok(http.client, 'process_output', {
        sandbox_id: sandbox,
        process_id: pid,
        offset: out.next_offset,
        wait_ms: 2000,
      });
      seen += out.output;
    }
    assert.match(seen, /got:ping/);
    const listed = await ok(http.client, 'process_list', { sandbox_id: sandbox });
    assert.ok(
      listed.processes.some(
        (p: { process_id: string; state: string }) => p.process_id === pid && p.state === 'running',
      ),
    );
    const uri = `sandbox://${sandbox}/processes/${encodeURIComponent(pid)}/output`;
    const res = await http.client.readResource({ uri });
    assert.match((res.contents[0] as { text: string }).text, /ready\ngot:ping/);
    const killed = await ok(http.client, 'process_kill', { sandbox_id: sandbox, process_id: pid });
    assert.equal(killed.state, 'exited');
    assert.equal((await ok(http.client, 'process_output', { sandbox_id: sandbox, process_id: pid })).running, false);
  });

  it('runs python code and returns a chart as image content', async () => {
    const code =
      'import matplotlib\nmatplotlib.use("Agg")\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [2, 4, 1])\nplt.title("demo")\nplt.show()\nprint("done", 6 * 7)';
    const r = (await http.client.callTool({
      name: 'code_run',
      arguments: { sandbox_id: sandbox, language: 'python', code },
    })) as Result & { content: { type: string; data?: string; mimeType?: string }[] };
    assert.ok(!r.isError, text(r));
    assert.equal(r.structuredContent.exit_code, 0);
    assert.match(r.structuredContent.output, /done 42/);
    assert.equal(r.structuredContent.charts.length, 1);
    assert.equal(r.structuredContent.charts[0].title, 'demo');
    const img = r.content.find((c) => c.type === 'image');
    assert.equal(img?.mimeType, 'image/png');
    assert.equal(Buffer.from(img!.data!, 'base64').subarray(1, 4).toString(), 'PNG');
    const js = await ok(http.client, 'code_run', {
      sandbox_id: sandbox,
      language: 'typescript',
      code: 'const n: number = 6 * 7; console.log(`ts ${n}`)',
    });
    assert.match(js.output, /ts 42/);
  });

  it('searches files by name and content', async () => {
    await ok(http.client, 'fs_write', {
      sandbox_id: sandbox,
      path: '/tmp/search/a.py',
      content: 'x = 1\n# TODO: fix\n',
    });
    await ok(http.client, 'fs_write', { sandbox_id: sandbox, path: '/tmp/search/sub/b.txt', content: 'TODO later\n' });
    const byName = await ok(http.client, 'fs_search', { sandbox_id: sandbox, path: '/tmp/search', name_glob: '*.py' });
    assert.deepEqual(byName.files, ['/tmp/search/a.py']);
    const byContent = await ok(http.client, 'fs_search', { sandbox_id: sandbox, path: '/tmp/search', content: 'TODO' });
    assert.deepEqual(byContent.matches.map((m: { file: string; line: number }) => `${m.file}:${m.line}`).sort(), [
      '/tmp/search/a.py:2',
      '/tmp/search/sub/b.txt:1',
    ]);
    const regex = await ok(http.client, 'fs_search', {
      sandbox_id: sandbox,
      path: '/tmp/search',
      content: '^x = [0-9]+$',
    });
    assert.deepEqual(regex.matches, [{ file: '/tmp/search/a.py', line: 1, content: 'x = 1' }]);
    const literal = await ok(http.client, 'fs_search', {
      sandbox_id: sandbox,
      path: '/tmp/search',
      content: 'x = [',
      literal: true,
    });
    assert.deepEqual(literal.matches, []);
    const bad = await call(http.client, 'fs_search', { sandbox_id: sandbox, path: '/tmp/search', content: 'a(' });
    assert.equal(bad.isError, true);
    const both = await ok(http.client, 'fs_search', {
      sandbox_id: sandbox,
      path: '/tmp/search',
      name_glob: '*.txt',
      content: 'TODO',
    });
    assert.deepEqual(
      both.matches.map((m: { file: string }) => m.file),
      ['/tmp/search/sub/b.txt'],
    );
    const preview = await ok(http.client, 'port_preview_url', { sandbox_id: sandbox, port: 8080 });
    assert.match(preview.url, new RegExp(`8080-${sandbox}`));
    assert.ok(preview.token.length > 8);
  });

  it('uses git through the git tool group', async () => {
    const { tools } = await http.client.listTools();
    assert.ok(!tools.some((t) => t.name.startsWith('git_')), 'core sessions do not list git tools');
    const g = await connectHttp(stack.url, stack.key, { tools: 'git' });
    try {
      assert.ok((await g.client.listTools()).tools.every((t) => t.name.startsWith('git_')));
      await ok(http.client, 'exec', {
        sandbox_id: sandbox,
        command:
          'rm -rf /tmp/origin /tmp/work && git init -q -b main /tmp/origin && git -C /tmp/origin -c user.name=o -c user.email=o@x commit -q --allow-empty -m init && git -C /tmp/origin config receive.denyCurrentBranch ignore',
      });
      assert.equal(
        (await ok(g.client, 'git_clone', { sandbox_id: sandbox, url: '/tmp/origin', path: '/tmp/work' })).path,
        '/tmp/work',
      );
      await ok(http.client, 'fs_write', { sandbox_id: sandbox, path: '/tmp/work/hello.txt', content: 'hello\n' });
      const st = await ok(g.client, 'git_status', { sandbox_id: sandbox, path: '/tmp/work' });
      assert.equal(st.current_branch, 'main');
      assert.deepEqual(
        st.files.map((f: { name: string }) => f.name),
        ['hello.txt'],
      );
      await ok(g.client, 'git_add', { sandbox_id: sandbox, path: '/tmp/work', files: ['hello.txt'] });
      assert.match(
        (await ok(g.client, 'git_diff', { sandbox_id: sandbox, path: '/tmp/work', staged: true })).diff,
        /^\+hello$/m,
      );
      const noAuthor = await call(g.client, 'git_commit', {
        sandbox_id: sandbox,
        path: '/tmp/work',
        message: 'add hello',
      });
      assert.equal(noAuthor.isError, true);
      const c = await ok(g.client, 'git_commit', {
        sandbox_id: sandbox,
        path: '/tmp/work',
        message: 'add hello',
        author: 'Agent',
        email: 'agent@example.com',
      });
      assert.match(c.hash, /^[0-9a-f]{7,40}$/);
      const log = await ok(g.client, 'git_log', { sandbox_id: sandbox, path: '/tmp/work' });
      assert.deepEqual(
        log.commits.map((x: { message: string }) => x.message.trim()),
        ['add hello', 'init'],
      );
      await ok(g.client, 'git_branch', { sandbox_id: sandbox, path: '/tmp/work', action: 'create', name: 'feature' });
      await ok(g.client, 'git_checkout', { sandbox_id: sandbox, path: '/tmp/work', branch: 'feature' });
      assert.equal((await ok(g.client, 'git_branch', { sandbox_id: sandbox, path: '/tmp/work' })).current, 'feature');
      await ok(g.client, 'git_push', {
        sandbox_id: sandbox,
        path: '/tmp/work',
        remote: 'origin',
        branch: 'feature',
        set_upstream: true,
      });
      const remote = await ok(http.client, 'exec', {
        sandbox_id: sandbox,
        command: 'git -C /tmp/origin log --format=%s feature',
      });
      assert.equal(remote.stdout, 'add hello\ninit\n');
      await ok(http.client, 'exec', {
        sandbox_id: sandbox,
        command:
          'cd /tmp/origin && git checkout -q feature && echo more > more.txt && git add more.txt && git -c user.name=o -c user.email=o@x commit -q -m more',
      });
      await ok(g.client, 'git_pull', { sandbox_id: sandbox, path: '/tmp/work', remote: 'origin', branch: 'feature' });
      assert.equal(
        (await ok(http.client, 'fs_read', { sandbox_id: sandbox, path: '/tmp/work/more.txt' })).content,
        'more\n',
      );
    } finally {
      await g.close();
    }
  });

  it('drives a terminal', async () => {
    const t = await connectHttp(stack.url, stack.key, { tools: 'terminal,lsp' });
    try {
      const term = await ok(t.client, 'terminal_create', { sandbox_id: sandbox, terminal_id: 'mcp-term' });
      assert.equal(term.terminal_id, 'mcp-term');
      const sent = await ok(t.client, 'terminal_send', {
        sandbox_id: sandbox,
        terminal_id: 'mcp-term',
        text: 'echo $((6*7))',
      });
      assert.match(sent.output, /42/);
      await ok(t.client, 'terminal_resize', { sandbox_id: sandbox, terminal_id: 'mcp-term', cols: 100, rows: 30 });
      await ok(t.client, 'terminal_send', {
        sandbox_id: sandbox,
        terminal_id: 'mcp-term',
        text: '(sleep 1; echo later)&',
        quiet_ms: 100,
      });
      await sleep(1500);
      assert.match(
        (await ok(t.client, 'terminal_read', { sandbox_id: sandbox, terminal_id: 'mcp-term' })).output,
        /later/,
      );
      await ok(t.client, 'terminal_close', { sandbox_id: sandbox, terminal_id: 'mcp-term' });
      assert.equal(
        (await call(t.client, 'terminal_read', { sandbox_id: sandbox, terminal_id: 'mcp-term' })).isError,
        true,
      );
    } finally {
      await t.close();
    }
  });

  it('asks a language server for diagnostics, definitions, hover, symbols and completions', async () => {
    const t = await connectHttp(stack.url, stack.key, { tools: 'lsp' });
    try {
      await ok(http.client, 'fs_write', {
        sandbox_id: sandbox,
        path: '/tmp/proj/main.py',
        content: 'def greet(name: str) -> str:\n    return "hi " + name\n\ngreet(1)\nprint(undefined_name)\n',
      });
      const lsp = { sandbox_id: sandbox, language: 'python', project_path: '/tmp/proj' };
      const started = await call(t.client, 'lsp_start', lsp);
      assert.ok(!started.isError, text(started));
      const diag = await ok(t.client, 'lsp_diagnostics', { ...lsp, path: '/tmp/proj/main.py', wait_ms: 20000 });
      assert.ok(
        diag.diagnostics.some((d: { message: string }) => /undefined_name/.test(d.message)),
        JSON.stringify(diag),
      );
      const def = await ok(t.client, 'lsp_definition', { ...lsp, path: '/tmp/proj/main.py', line: 4, column: 1 });
      assert.deepEqual(
        def.locations.map((l: { path: string; range: { start_line: number } }) => [l.path, l.range.start_line]),
        [['/tmp/proj/main.py', 1]],
      );
      const hover = await ok(t.client, 'lsp_hover', { ...lsp, path: '/tmp/proj/main.py', line: 4, column: 1 });
      assert.match(hover.contents, /greet/);
      const syms = await ok(t.client, 'lsp_symbols', { ...lsp, path: '/tmp/proj/main.py' });
      assert.ok(syms.symbols.some((s: { name: string }) => s.name === 'greet'));
      const comp = await ok(t.client, 'lsp_completions', { ...lsp, path: '/tmp/proj/main.py', line: 4, column: 3 });
      assert.ok(comp.items.some((i: { label: string }) => i.label === 'greet'));
      await ok(t.client, 'lsp_stop', lsp);
    } finally {
      await t.close();
    }
  });

  it('answers a stopped sandbox with a hint to start it', async () => {
    await ok(http.client, 'sandbox_stop', { sandbox_id: sandbox });
    const r = await call(http.client, 'exec', { sandbox_id: sandbox, command: 'true' });
    assert.equal(r.isError, true);
    assert.match(text(r), /stopped — call sandbox_start/);
    assert.equal((await ok(http.client, 'sandbox_start', { sandbox_id: sandbox })).sandbox.state, 'started');
    const labels = await ok(http.client, 'sandbox_set_labels', {
      sandbox_id: sandbox,
      labels: { suite: 'mcp', step: 'stdio' },
    });
    assert.equal(labels.sandbox.labels.step, 'stdio');
    assert.equal(
      (await ok(http.client, 'sandbox_set_autostop', { sandbox_id: sandbox, auto_stop_minutes: 0 })).sandbox
        .auto_stop_minutes,
      0,
    );
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
      await stdio.client.callTool(
        { name: 'exec', arguments: { sandbox_id: sandbox, command: 'echo a; sleep 0.3; echo b' } },
        undefined,
        { onprogress: (p) => progress.push(p) },
      );
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
