// Debian's docker-registry on 127.0.0.1:`port`, without authentication (dockerd trusts a registry on
// 127.0.0.1 without TLS), storing under a folder of its own. `close()` stops it and removes the folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './remote-runner.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface OpenRegistry {
  /** `127.0.0.1:<port>`, as image references name it. */
  url: string;
  close(): Promise<void>;
}

export async function startOpenRegistry(port: number): Promise<OpenRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-open-registry-'));
  const url = `127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n` +
      `http:\n  addr: ${url}\n`,
  );
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      'registry answers',
      () =>
        fetch(`http://${url}/v2/`).then(
          (r) => r.status,
          () => 0,
        ),
      (st) => st === 200,
      20_000,
    );
  } catch (e) {
    await close();
    throw e;
  }
  return { url, close };
}
