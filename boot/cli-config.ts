// The CLI's settings file (API URL, key, organization). `berth serve` writes
// it on first start so `berth` commands work at once; `berth login` updates it.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';

export interface CliConfig {
  apiUrl?: string;
  apiKey?: string;
  organizationId?: string;
}

export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_CONFIG || join(env.BERTH_HOME || join(homedir(), '.berth'), 'cli.json');
}

export function readCliConfig(path = cliConfigPath()): CliConfig {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CliConfig;
  } catch {
    return {};
  }
}

export function writeCliConfig(c: CliConfig, path = cliConfigPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}
