// Makes a Docker engine reachable: uses a running one, starts an installed
// dockerd, or installs Debian's docker.io (root on Debian only); elsewhere it
// says what to install. Idempotent and quick when the engine already answers.
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { AppError } from '../../common/errors.js';
import { run, step } from './run.js';

export function pingDocker(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const DOCKERD = ['/usr/sbin/dockerd', '/usr/bin/dockerd'];

export async function ensureDocker(socketPath: string, logDir: string): Promise<void> {
  if (await pingDocker(socketPath)) return;
  const isRoot = process.getuid?.() === 0;
  let dockerd = DOCKERD.find((p) => existsSync(p));
  if (!dockerd) {
    if (!isRoot || !existsSync('/usr/bin/apt-get')) {
      throw new AppError('unavailable', `no Docker engine answers at ${socketPath} and none is installed`, {
        hint: 'install Docker Engine (Debian/Ubuntu: `sudo apt-get install docker.io`; elsewhere https://docs.docker.com/engine/install/) and start it, then run this again',
      });
    }
    step('installing the Docker engine (Debian package docker.io)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      (await run('apt-get', ['update', '-q'], { env })) !== 0 ||
      (await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker.io', 'iptables'], { env })) !== 0
    ) {
      throw new AppError('unavailable', 'installing docker.io failed', {
        hint: 'see the apt output above; install Docker by hand and run this again',
      });
    }
    dockerd = DOCKERD.find((p) => existsSync(p));
    if (!dockerd) throw new AppError('unavailable', 'docker.io installed but dockerd is missing');
  }
  if (!isRoot) {
    throw new AppError('unavailable', `the Docker engine is installed but not running (no answer at ${socketPath})`, {
      hint: 'start it: `sudo systemctl start docker` or `sudo dockerd &`',
    });
  }
  step('starting dockerd');
  mkdirSync(logDir, { recursive: true });
  const out = openSync(join(logDir, 'dockerd.log'), 'a');
  const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  for (let i = 0; i < 120; i++) {
    if (await pingDocker(socketPath)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new AppError('unavailable', 'dockerd did not answer within 60 s', {
    hint: `see ${join(logDir, 'dockerd.log')}`,
  });
}
