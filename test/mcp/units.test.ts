// Small pure pieces of the MCP server, without a server: diffs, tool groups,
// the host guard, event ids, resource URIs, binary detection, the event log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../orchestrator/toolbox/diff.js';
import { looksBinary } from '../../orchestrator/toolbox/edit.js';
import { ManualClock } from '../../common/clock.js';
import { MemoryEventLog } from '../../orchestrator/relay/event-log.js';
import { MemorySessionRegistry } from '../../orchestrator/relay/session-registry.js';
import { parseGroups } from '../../mcp/tool.js';
import { HostGuard } from '../../mcp/http/guard.js';
import { parseEventId } from '../../mcp/http/event-store.js';
import { fileUri, parseUri } from '../../mcp/resources/uri.js';
import { parseProcessId } from '../../mcp/tools/process-shapes.js';
import { toolError } from '../../mcp/result.js';
import { AppError } from '../../common/errors.js';

describe('MCP building blocks', () => {
  it('writes unified diffs with context and merged hunks', () => {
    assert.equal(unifiedDiff('a\n', 'a\n', 'f'), '');
    assert.equal(
      unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', '/x/f.txt'),
      '--- a/x/f.txt\n+++ b/x/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
    const before = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n') + '\n';
    const after = before.replace('l2\n', 'L2\n').replace('l19\n', 'L19\n');
    const d = unifiedDiff(before, after, 'f');
    assert.equal((d.match(/^@@/gm) ?? []).length, 2, d);
    assert.match(d, /^@@ -1,5 \+1,5 @@$/m);
    assert.match(d, /^@@ -16,5 \+16,5 @@$/m);
    assert.equal(unifiedDiff('', 'new\n', 'f'), '--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+new\n');
    assert.match(unifiedDiff('a', 'a\n', 'f'), /No newline/);
  });

  it('parses tool groups', () => {
    assert.deepEqual(parseGroups('core'), { groups: ['core'], unknown: [] });
    assert.deepEqual(parseGroups('all'), {
      groups: ['core', 'git', 'lsp', 'terminal', 'images', 'volumes', 'telemetry'],
      unknown: [],
    });
    assert.deepEqual(parseGroups('git, LSP'), { groups: ['git', 'lsp'], unknown: [] });
    assert.deepEqual(parseGroups('core,nope').unknown, ['nope']);
  });

  it('guards hosts and origins against DNS rebinding', () => {
    const g = new HostGuard({
      publicUrl: 'https://berth.example.com',
      host: '0.0.0.0',
      mcpAllowedHosts: 'alt.example.org',
    });
    for (const h of ['localhost:3000', '127.0.0.1', '[::1]:3000', 'berth.example.com', 'alt.example.org:8443'])
      assert.equal(g.check(h, undefined), undefined, h);
    assert.match(g.check('evil.example.com', undefined)!, /not this server/);
    assert.match(g.check(undefined, undefined)!, /not this server/);
    assert.match(g.check('localhost:3000', 'http://evil.example.com')!, /Origin/);
    assert.equal(g.check('localhost:3000', 'https://berth.example.com'), undefined);
    assert.equal(
      new HostGuard({ publicUrl: 'http://localhost:3000', host: '10.0.0.5', mcpAllowedHosts: '' }).check(
        '10.0.0.5:3000',
        undefined,
      ),
      undefined,
    );
  });

  it('parses event ids, resource URIs and process ids', () => {
    assert.deepEqual(parseEventId('abc-123:1700000000000-0'), { streamId: 'abc-123', entry: '1700000000000-0' });
    assert.deepEqual(parseEventId('_GET_stream:7'), { streamId: '_GET_stream', entry: '7' });
    assert.equal(parseEventId('nope'), undefined);
    assert.deepEqual(parseUri('sandbox://sb1'), { kind: 'sandbox', id: 'sb1' });
    assert.deepEqual(parseUri('sandbox://sb1/files/home/a%20b.txt'), {
      kind: 'file',
      id: 'sb1',
      path: '/home/a b.txt',
    });
    assert.equal(fileUri('sb1', '/home/a b.txt'), 'sandbox://sb1/files/home/a%20b.txt');
    assert.deepEqual(parseUri('sandbox://sb1/processes/mcp-1~c2/output'), {
      kind: 'process',
      id: 'sb1',
      pid: 'mcp-1~c2',
    });
    assert.equal(parseUri('test://x'), undefined);
    assert.deepEqual(parseProcessId('mcp-1~c~2'), { sessionId: 'mcp-1', cmdId: 'c~2' });
    assert.throws(() => parseProcessId('nope'), /not a process id/);
  });

  it('detects binary content', () => {
    assert.equal(looksBinary(Buffer.from('héllo\n')), false);
    assert.equal(looksBinary(Buffer.from([0x68, 0, 0x69])), true);
    assert.equal(looksBinary(Buffer.from([0xff, 0xfe, 0x41])), true);
    assert.equal(
      looksBinary(Buffer.from('ab\u00e9', 'utf8').subarray(0, 3)),
      false,
      'a character cut at the end is not binary',
    );
  });

  it('maps errors to tool results with the fix', () => {
    const r = toolError(
      new AppError('failed_precondition', 'sandbox demo is stopped', {
        reason: 'SANDBOX_NOT_STARTED',
        details: { state: 'stopped' },
      }),
    );
    assert.equal(r.isError, true);
    assert.match(
      (r.content[0] as { text: string }).text,
      /^Error \(failed_precondition\/SANDBOX_NOT_STARTED\): sandbox demo is stopped\nHint: the sandbox is stopped — call sandbox_start, then retry$/,
    );
    assert.equal((r._meta!['berth/error'] as { code: string }).code, 'failed_precondition');
    assert.match(
      (toolError(new Error('boom')).content[0] as { text: string }).text,
      /internal.*boom[\s\S]*bug in Berth/,
    );
  });

  it('keeps, replays, tails and expires event logs and session records', async () => {
    const clock = new ManualClock();
    const log = new MemoryEventLog(clock);
    let woke = 0;
    const off = log.watch('k', () => woke++);
    const a = await log.append('k', 'one', 60_000);
    const b = await log.append('k', 'two', 60_000);
    assert.deepEqual(
      (await log.range('k', a)).map((e) => e.data),
      ['two'],
    );
    assert.equal(await log.last('k'), b);
    assert.equal(woke, 2);
    off();
    await log.append('short', 'x', 1);
    assert.deepEqual(
      (await log.range('short')).map((e) => e.data),
      ['x'],
    );
    await clock.advance(5);
    assert.deepEqual(await log.range('short'), []);
    const reg = new MemorySessionRegistry(clock);
    await reg.put({ id: 's', organizationId: 'o', keyId: 'k', userId: 'u', state: {}, createdAt: 0 }, 20);
    await clock.advance(15);
    assert.equal(await reg.touch('s', 20), true);
    await clock.advance(15);
    assert.equal((await reg.get('s'))?.id, 's', 'touch extends the expiry');
    await clock.advance(10);
    assert.equal(await reg.get('s'), undefined);
    assert.equal(await reg.touch('s', 20), false);
  });
});
