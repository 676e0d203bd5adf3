// A second Docker engine on this host, for tests of remote runners: dockerd in
// a network namespace of its own (entered with nsenter, not `ip netns exec`,
// which remounts /sys), with its own data, exec root, socket and containerd
// namespaces, holding a copy of the sandbox base image (or nothing). Ports of
// the host's loopback can be made to appear on the namespace's loopback (a
// registry on 127.0.0.1, which dockerd trusts without TLS). Everything it made
// goes with `close()`: its containers, the engine, its folders, the namespace.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EngineRig {
  /** The engine's unix socket path (DOCKER_HOST=unix://…). */
  socket: string;
  docker(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

/** What the rig needs that this host lacks, or false. */
export function engineRigMissing(): string | false {
  if (process.getuid?.() !== 0) return 'root (to make a network namespace and run a second dockerd)';
  for (const bin of ['/usr/sbin/dockerd', '/usr/bin/nsenter', '/usr/sbin/ip'])
    if (!existsSync(bin)) return `${bin} (a second Docker engine)`;
  return false;
}

export interface EngineRigOptions {
  /** Ports of the host's 127.0.0.1 reachable at the same port on the rig's 127.0.0.1. */
  hostPorts?: number[];
}

// Runs inside the namespace: its 127.0.0.1:<port> piped to a unix socket, which the host side serves.
const NS_FORWARDER = `
const net = require('node:net');
const [port, path] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(path);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
  c.pipe(u).pipe(c);
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

/** Host side of a forwarded port: the unix socket `path`, piped to the host's 127.0.0.1:`port`. */
function hostForwarder(path: string, port: number): Promise<net.Server> {
  const server = net.createServer((c) => {
    const u = net.connect(port, '127.0.0.1');
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
    c.pipe(u).pipe(c);
  });
  return new Promise((resolve, reject) => server.once('error', reject).listen(path, () => resolve(server)));
}

/** `image`: copied in from the host's engine; null: the rig starts with no image at all. */
export async function startEngineRig(image: string | null, o: EngineRigOptions = {}): Promise<EngineRig> {
  const ns = `berth-rig-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'berth-rig-'));
  const socket = join(dir, 'docker.sock');
  const log = join(dir, 'dockerd.log');
  let dockerd: ChildProcess | null = null;
  const forwarders: { server: net.Server; child: ChildProcess }[] = [];
  let exited: Promise<void> = Promise.resolve();
  const docker = async (...args: string[]) => (await run('docker', ['-H', `unix://${socket}`, ...args])).stdout;
  const close = async () => {
    const ids = (await docker('ps', '-aq').catch(() => '')).split(/\s+/).filter(Boolean);
    if (ids.length) await docker('rm', '-f', ...ids).catch(() => {});
    if (dockerd && dockerd.exitCode === null) {
      dockerd.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (dockerd.exitCode === null) dockerd.kill('SIGKILL');
      await exited;
    }
    for (const f of forwarders) {
      f.child.kill('SIGKILL');
      await new Promise<void>((r) => f.server.close(() => r()));
    }
    await run('ip', ['netns', 'del', ns]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const out = openSync(log, 'a');
    const child = spawn(
      'nsenter',
      [
        `--net=/run/netns/${ns}`,
        'dockerd',
        ...['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'pid')],
        ...['-H', `unix://${socket}`, '--containerd-namespace', ns, '--containerd-plugins-namespace', `${ns}-p`],
        // Its own bridge network is made by the runner; nothing of the host's firewall is touched.
        ...['--bridge', 'none', '--iptables=false', '--ip-masq=false'],
      ],
      { stdio: ['ignore', out, out] },
    );
    dockerd = child;
    // Created with the child, before anything is awaited (REVIEW 4).
    exited = new Promise((r) => child.once('exit', () => r()));
    const t0 = Date.now();
    for (;;) {
      if (
        await docker('version', '--format', '{{.Server.Version}}').then(
          () => true,
          () => false,
        )
      )
        break;
      if (child.exitCode !== null || Date.now() - t0 > 30_000)
        throw new Error(`the second dockerd did not come up: ${readFileSync(log, 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (image)
      await run('bash', ['-o', 'pipefail', '-c', `docker save '${image}' | docker -H 'unix://${socket}' load -q`], {
        maxBuffer: 1 << 20,
      });
    for (const port of o.hostPorts ?? []) {
      const path = join(dir, `port-${port}.sock`);
      const server = await hostForwarder(path, port);
      const child = spawn(
        'nsenter',
        [`--net=/run/netns/${ns}`, process.execPath, '-e', NS_FORWARDER, String(port), path],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      forwarders.push({ server, child });
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the port ${port} forwarder exited (${code})`)));
        child.stdout!.once('data', () => resolve());
      });
    }
    return { socket, docker, close };
  } catch (e) {
    await close();
    throw e;
  }
}
