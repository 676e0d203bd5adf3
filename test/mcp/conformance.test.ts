// The official MCP conformance suite (@modelcontextprotocol/conformance,
// pinned 0.1.13) against Berth: in the test-only fixture mode with zero
// failures, and against the real tool surface with the baseline in
// conformance/expected-failures.yml (every entry has its reason). The suite
// cannot send an Authorization header, so a small proxy in this test adds
// the API key, forwarding everything else (Host included) untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, type Stack } from '../helpers/stack.js';
import { ROOT, bootFixtureServer } from './helpers.js';

const CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const BASELINE = join(ROOT, 'test/mcp/conformance/expected-failures.yml');

async function authProxy(target: string, key: string): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const up = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: { ...req.headers, authorization: `Bearer ${key}` } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

function conformance(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'server', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const summary = (out: string) => out.slice(out.lastIndexOf('=== SUMMARY ==='));

describe('MCP conformance suite', () => {
  describe('fixture mode', () => {
    let f: Awaited<ReturnType<typeof bootFixtureServer>>;
    let proxy: { url: string; close(): void };
    before(async () => {
      f = await bootFixtureServer();
      proxy = await authProxy(f.server.url, f.key);
    });
    after(async () => {
      proxy?.close();
      await f?.close();
    });

    it('passes every active scenario', async () => {
      const r = await conformance(['--url', proxy.url, '--suite', 'active']);
      assert.match(summary(r.out), /Total: \d+ passed, 0 failed/, summary(r.out));
      assert.equal(r.code, 0, summary(r.out));
    });
  });

  describe('real tool surface', () => {
    let stack: Stack;
    let proxy: { url: string; close(): void };
    before(async () => {
      stack = await startStack();
      proxy = await authProxy(stack.url, stack.key);
    });
    after(async () => {
      proxy?.close();
      await stack?.close();
    });

    it('has a reason for every expected failure', () => {
      const entries = readFileSync(BASELINE, 'utf8')
        .split('\n')
        .filter((l) => /^\s+- /.test(l));
      assert.ok(entries.length > 0);
      for (const e of entries) assert.match(e, /^\s+- [a-z0-9-]+ # \S.{20,}$/, `entry without a reason: ${e}`);
    });

    it('fails only the baseline scenarios', async () => {
      const r = await conformance(['--url', proxy.url, '--suite', 'active', '--expected-failures', BASELINE]);
      assert.equal(r.code, 0, r.out.slice(-3000));
      assert.doesNotMatch(r.out, /Unexpected failures|Baseline is stale/);
    });
  });
});
