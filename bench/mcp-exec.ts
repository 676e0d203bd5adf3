// `exec` round trip through MCP (SDK client → Streamable HTTP → tool → daemon)
// against the REST execute path (POST /toolbox/{id}/process/execute) in the
// same run, on the same sandbox. Prints p50/p95 of each and the MCP/REST ratio
// (target ≤ 1.2×). Run with `npm run bench` (needs Docker and the base image).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { inProcessServer } from './in-process.js';
import { fmtMs, percentile, timeEach } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const WARMUP = 20;

const ms = (n: number) => fmtMs(n, 2);

async function main(): Promise<void> {
  const booted = await inProcessServer();
  const { server, key } = booted;
  const auth = { authorization: `Bearer ${key}` };
  let sandboxId = '';
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.url), { requestInit: { headers: auth } });
  const client = new Client({ name: 'bench', version: '1' });
  try {
    const created = await fetch(`${server.url}/api/sandbox`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ cpu: 1, memory: 1 }),
    });
    const sandbox = (await created.json()) as { id: string; state: string };
    if (sandbox.state !== 'started') throw new Error(`sandbox did not start: ${JSON.stringify(sandbox)}`);
    sandboxId = sandbox.id;
    await client.connect(transport);

    const rest = async () => {
      const r = await fetch(`${server.url}/toolbox/${sandboxId}/process/execute`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'echo hi' }),
      });
      const body = (await r.json()) as { exitCode: number; result: string };
      if (body.exitCode !== 0 || body.result !== 'hi\n') throw new Error(`REST exec: ${JSON.stringify(body)}`);
    };
    const mcp = async () => {
      const r = (await client.callTool({ name: 'exec', arguments: { sandbox_id: sandboxId, command: 'echo hi' } })) as {
        structuredContent?: { stdout?: string };
      };
      if (r.structuredContent?.stdout !== 'hi\n') throw new Error(`MCP exec: ${JSON.stringify(r)}`);
    };

    await timeEach(WARMUP, rest);
    await timeEach(WARMUP, mcp);
    // Interleave rounds so both paths see the same machine load.
    const restT: number[] = [];
    const mcpT: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      restT.push(...(await timeEach(1, rest)));
      mcpT.push(...(await timeEach(1, mcp)));
    }
    const ratio = percentile(mcpT, 50) / percentile(restT, 50);
    process.stdout.write(
      [
        `mcp-exec: ${ROUNDS} rounds of \`echo hi\` on one sandbox`,
        `  REST  /toolbox/{id}/process/execute  p50 ${ms(percentile(restT, 50))}  p95 ${ms(percentile(restT, 95))}`,
        `  MCP   tools/call exec (HTTP+SSE)      p50 ${ms(percentile(mcpT, 50))}  p95 ${ms(percentile(mcpT, 95))}`,
        `  ratio MCP/REST p50 ${ratio.toFixed(2)}x (target <= 1.20x)${ratio <= 1.2 ? '' : '  ABOVE TARGET'}`,
        '',
      ].join('\n'),
    );
  } finally {
    await client.close().catch(() => {});
    if (sandboxId)
      await fetch(`${server.url}/api/sandbox/${sandboxId}`, { method: 'DELETE', headers: auth }).catch(() => {});
    await booted.close();
  }
}

main().catch((e) => {
  process.stderr.write(`mcp-exec bench failed: ${(e as Error)?.stack ?? e}\n`);
  process.exitCode = 1;
});
