// A `berth serve` inside the benchmark's own process, for benchmarks that
// reach into it (the orchestrator, the SSH host key) or want no process hop:
// its own home, runner id and admin key. `close()` stops it and removes its home.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bootServer, type BootedServer } from '../boot/server.js';
import { createLogger } from '../common/log.js';

export interface InProcessServer {
  readonly server: BootedServer;
  readonly home: string;
  readonly key: string;
  /** The admin key as an Authorization header. */
  readonly auth: { authorization: string };
  close(): Promise<void>;
}

/** `ssh`: the SSH gateway on a free port (off otherwise). */
export async function inProcessServer(o: { ssh?: boolean } = {}): Promise<InProcessServer> {
  const home = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const key = `berth_bench_${randomBytes(16).toString('hex')}`;
  const server = await bootServer({
    env: {
      BERTH_HOME: home,
      BERTH_RUNNER_ID: `bench-${randomBytes(4).toString('hex')}`,
      BERTH_ADMIN_API_KEY: key,
      PORT: '0',
      ...(o.ssh ? {} : { BERTH_SSH_PORT: '0' }),
      BERTH_LOG_LEVEL: 'warn',
    },
    ephemeralSsh: o.ssh,
    background: false,
    writeCliConfig: false,
    announce: () => {},
    log: createLogger({ level: 'warn' }),
  });
  return {
    server,
    home,
    key,
    auth: { authorization: `Bearer ${key}` },
    async close() {
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
