// The optional gVisor isolation tier: installs Debian's runsc and registers it
// with the Docker engine as the `runsc` runtime, idempotently. The engine is
// told by editing /etc/docker/daemon.json and sending dockerd SIGHUP (runtimes
// are reloadable; running containers are untouched). If runsc cannot give a
// container a network on this host ("cannot run with network enabled in root
// network namespace"), it is registered with --network=none and Berth offers it
// for networkBlockAll sandboxes only. Skipped without root or apt, or with
// BERTH_GVISOR=off.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { run, step } from './run.js';

const sh = promisify(execFile);
const DAEMON_JSON = '/etc/docker/daemon.json';
const RUNSC = '/usr/bin/runsc';

type DaemonJson = { runtimes?: Record<string, { path: string; runtimeArgs?: string[] }> } & Record<string, unknown>;

async function runtimes(): Promise<Record<string, { runtimeArgs?: string[] }>> {
  const { stdout } = await sh('docker', ['info', '--format', '{{json .Runtimes}}'], { encoding: 'utf8' });
  return JSON.parse(stdout) as Record<string, { runtimeArgs?: string[] }>;
}

/** SIGHUPs dockerd and waits until its runtimes show `want` (null: runsc gone). */
async function reloadDocker(want: string[] | null): Promise<boolean> {
  const pid = await sh('pidof', ['dockerd'], { encoding: 'utf8' }).then(
    (r) => Number(r.stdout.trim().split(/\s+/)[0]),
    () => 0,
  );
  if (!pid) return false;
  process.kill(pid, 'SIGHUP');
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const rt = (await runtimes().catch(() => ({}) as Record<string, { runtimeArgs?: string[] }>)).runsc;
    if (want === null ? !rt : JSON.stringify(rt?.runtimeArgs ?? []) === JSON.stringify(want)) return true;
  }
  return false;
}

function register(args: string[] | null): void {
  const cfg: DaemonJson = existsSync(DAEMON_JSON) ? (JSON.parse(readFileSync(DAEMON_JSON, 'utf8')) as DaemonJson) : {};
  const rt = { ...(cfg.runtimes ?? {}) };
  if (args) rt.runsc = { path: RUNSC, runtimeArgs: args };
  else delete rt.runsc;
  writeFileSync(DAEMON_JSON, JSON.stringify({ ...cfg, runtimes: rt }, null, 2) + '\n');
}

async function probe(image: string, network: boolean): Promise<boolean> {
  const r = await sh(
    'docker',
    ['run', '--rm', '--runtime=runsc', ...(network ? [] : ['--network=none']), '--entrypoint', '/bin/true', image],
    { encoding: 'utf8', timeout: 120_000 },
  ).then(
    () => true,
    () => false,
  );
  return r;
}

export async function ensureGvisor(image: string): Promise<void> {
  if (process.env.BERTH_GVISOR === 'off' || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  try {
    const have = await runtimes();
    if (have.runsc) return; // registered already (by us or by the operator): leave it as it is
    if (existsSync(DAEMON_JSON)) JSON.parse(readFileSync(DAEMON_JSON, 'utf8')); // never rewrite a file we cannot read
  } catch {
    step('gVisor: skipped (cannot read the Docker configuration)');
    return;
  }
  if (!existsSync(RUNSC)) {
    step('installing gVisor (Debian package runsc) for the optional isolation tier');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (
      (await run('apt-get', ['install', '-y', '-q', 'runsc'], { env })) !== 0 &&
      ((await run('apt-get', ['update', '-q'], { env })) !== 0 ||
        (await run('apt-get', ['install', '-y', '-q', 'runsc'], { env })) !== 0)
    ) {
      step('gVisor: not installed (apt-get failed); sandboxes use runc');
      return;
    }
  }
  step('registering runsc with the Docker engine');
  // The daemon dials its runner over a unix socket in a read-only bind mount: runsc must allow opening host sockets.
  register(['--host-uds=open']);
  if (!(await reloadDocker(['--host-uds=open']))) {
    step('gVisor: dockerd did not pick up the runtime (restart it to use gVisor)');
    return;
  }
  if (await probe(image, true)) return;
  register(['--host-uds=open', '--network=none']);
  await reloadDocker(['--host-uds=open', '--network=none']);
  if (await probe(image, false)) {
    step('gVisor: available for networkBlockAll sandboxes only (runsc has no network in containers on this host)');
    return;
  }
  register(null);
  await reloadDocker(null);
  step('gVisor: runsc does not run containers on this host; left unregistered');
}
