// A container engine in memory, for unit tests of what sits above the runtime
// (the runner, the reconciler, lifecycle timers, fencing, the warm pool)
// without Docker. A started "container" is a fake daemon in this process: it
// dials the runner's socket with the sandbox's secret like the real one and
// answers the few daemon calls a lifecycle makes (health, env, remove-paths).
import http2 from 'node:http2';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import { helloLine, DAEMON_PROTOCOL_VERSION, SANDBOX_PATHS, type DaemonHealth } from '../../common/wire/daemon.js';
import type { ImageConfig } from '../../common/wire/runner.js';
import type { DaemonBundle } from '../daemon-bundle.js';
import type {
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerStats,
  ImageEngine,
  NetnsHolders,
  NetworkInfo,
  RuntimeInfo,
} from './interface.js';

interface Box {
  spec: ContainerSpec;
  running: boolean;
  paused: boolean;
  exitCode: number;
  oomKilled: boolean;
  attached: boolean;
  daemon: FakeDaemon | null;
}

/** The image every test sandbox runs, unless a test adds others. */
export const MEMORY_BASE_IMAGE: ImageConfig = {
  command: [],
  workdir: '/home/sandbox',
  user: 'sandbox',
  env: [],
  id: 'sha256:memory-base',
};

export class MemoryRuntime implements ContainerRuntime {
  private readonly boxes = new Map<string, Box>();
  private readonly imageConfigs = new Map<string, ImageConfig>();
  private readonly volumeSet = new Set<string>();
  /** Engine calls made, in order ("start <id>"), for tests that count them. */
  readonly calls: string[] = [];
  /** The env each sandbox's daemon was told to set (POST /env), as a claimed warm member gets its owner's. */
  readonly daemonEnv = new Map<string, Record<string, string>>();
  /** Awaited before a start or stop takes effect: a test holds an engine call in flight with it. */
  gate: ((op: 'start' | 'stop', sandboxId: string) => Promise<void>) | null = null;

  constructor(images: Record<string, ImageConfig> = { 'berth/sandbox-base:latest': MEMORY_BASE_IMAGE }) {
    for (const [ref, c] of Object.entries(images)) this.imageConfigs.set(ref, c);
  }

  async info(): Promise<RuntimeInfo> {
    return {
      engine: 'memory',
      version: '0',
      runtimes: ['runc'],
      storageDriver: 'memory',
      backingFilesystem: 'memory',
      cgroupVersion: '2',
      cpus: 64,
      memoryBytes: 256 * 1024 ** 3,
      diskQuota: true,
    };
  }

  async ping(): Promise<void> {}

  /** The fake daemon runs in this process: nothing to copy into containers. */
  prepareDaemon(home: string): DaemonBundle {
    return { dir: join(home, 'runtime', 'memory-daemon'), entrypoint: ['/.berth/bin/daemon'] };
  }

  async imageConfig(ref: string): Promise<ImageConfig | null> {
    return this.imageConfigs.get(ref) ?? null;
  }

  async ensureNetwork(name: string, subnet: string): Promise<NetworkInfo> {
    return { bridge: name, subnet, gateway: '' };
  }

  async create(spec: ContainerSpec): Promise<void> {
    if (this.boxes.has(spec.sandboxId)) return;
    if (!this.imageConfigs.has(spec.image)) throw new AppError('not_found', `no such image: ${spec.image}`);
    this.calls.push(`create ${spec.sandboxId}`);
    this.boxes.set(spec.sandboxId, {
      spec,
      running: false,
      paused: false,
      exitCode: 0,
      oomKilled: false,
      attached: !spec.networkDetached && spec.network !== null,
      daemon: null,
    });
  }

  async start(sandboxId: string): Promise<void> {
    const b = this.box(sandboxId);
    this.calls.push(`start ${sandboxId}`);
    await this.gate?.('start', sandboxId);
    if (b.running) return;
    b.running = true;
    b.exitCode = 0;
    const run = b.spec.mounts.find((m) => m.target === SANDBOX_PATHS.run);
    if (run)
      b.daemon = new FakeDaemon(sandboxId, run.source, b.spec.user, (env) =>
        this.daemonEnv.set(sandboxId, { ...this.daemonEnv.get(sandboxId), ...env }),
      );
  }

  async stop(sandboxId: string): Promise<void> {
    const b = this.boxes.get(sandboxId);
    if (!b?.running) return;
    this.calls.push(`stop ${sandboxId}`);
    await this.gate?.('stop', sandboxId);
    this.halt(b, 0);
  }

  async remove(sandboxId: string): Promise<void> {
    const b = this.boxes.get(sandboxId);
    if (!b) return;
    this.calls.push(`remove ${sandboxId}`);
    this.halt(b, 137);
    this.boxes.delete(sandboxId);
  }

  /** The container's main process dies on its own (a crash, an OOM kill): no engine call. */
  kill(sandboxId: string, o: { exitCode?: number; oomKilled?: boolean } = {}): void {
    const b = this.box(sandboxId);
    b.oomKilled = !!o.oomKilled;
    this.halt(b, o.exitCode ?? 137);
  }

  async inspect(sandboxId: string): Promise<ContainerState | null> {
    const b = this.boxes.get(sandboxId);
    if (!b) return null;
    return {
      running: b.running,
      paused: b.paused,
      exitCode: b.exitCode,
      oomKilled: b.oomKilled,
      ip: b.running && b.attached ? '10.0.0.2' : null,
      imageId: this.imageConfigs.get(b.spec.image)?.id ?? b.spec.image,
      netns: b.spec.netns ?? null,
      pooled: !!b.spec.pooled,
    };
  }

  async list(runnerId: string | null): Promise<{ sandboxId: string; running: boolean }[]> {
    return [...this.boxes.values()]
      .filter((b) => runnerId === null || b.spec.runnerId === runnerId)
      .map((b) => ({ sandboxId: b.spec.sandboxId, running: b.running }));
  }

  async exportChanges(sandboxId: string, out: Writable): Promise<void> {
    this.box(sandboxId);
    await new Promise<void>((resolve, reject) => out.end(Buffer.alloc(1024), () => resolve()).once('error', reject));
  }

  async importChanges(sandboxId: string, input: Readable): Promise<string[]> {
    this.box(sandboxId);
    for await (const _ of input); // drained like the engine would
    return [];
  }

  async keepBase(): Promise<void> {}

  keepRef(sandboxId: string): string {
    return `berth-keep/${sandboxId}:base`;
  }

  async forgetImages(): Promise<void> {}

  async writableBytes(sandboxId: string): Promise<number | null> {
    return this.boxes.has(sandboxId) ? 0 : null;
  }

  async update(sandboxId: string, limits: { cpu: number; memoryBytes: number }): Promise<void> {
    const b = this.box(sandboxId);
    b.spec = { ...b.spec, ...limits };
  }

  async setNetworkAttached(sandboxId: string, _network: string, attached: boolean): Promise<boolean> {
    this.box(sandboxId).attached = attached;
    return true;
  }

  async createVolume(name: string): Promise<void> {
    this.volumeSet.add(name);
  }

  async removeVolume(name: string): Promise<void> {
    this.volumeSet.delete(name);
  }

  async volumeExists(name: string): Promise<boolean> {
    return this.volumeSet.has(name);
  }

  async volumePath(): Promise<string | null> {
    return null;
  }

  async pause(sandboxId: string): Promise<void> {
    const b = this.box(sandboxId);
    if (b.running) b.paused = true;
  }

  async unpause(sandboxId: string): Promise<void> {
    this.box(sandboxId).paused = false;
  }

  async stats(sandboxId: string): Promise<ContainerStats | null> {
    const b = this.boxes.get(sandboxId);
    if (!b?.running) return null;
    return {
      cpuNanos: 0,
      systemNanos: 0,
      onlineCpus: b.spec.cpu,
      memoryBytes: 0,
      cacheBytes: 0,
      memoryLimitBytes: b.spec.memoryBytes,
      rxBytes: 0,
      txBytes: 0,
    };
  }

  async logs(): Promise<{ at: number; stream: 'stdout' | 'stderr'; text: string }[]> {
    return [];
  }

  readonly holders: NetnsHolders = {
    ensureImage: async () => 'berth-memory/pause:latest',
    create: async () => {},
    running: async () => null,
    start: async () => {},
    rename: async () => false,
    remove: async () => {},
    list: async () => [],
  };

  readonly images: ImageEngine = {
    build: async (spec) => {
      this.imageConfigs.set(spec.tag, { ...MEMORY_BASE_IMAGE, id: `sha256:${spec.tag}` });
      return { size: 0 };
    },
    pull: async (ref) => {
      if (!this.imageConfigs.has(ref)) throw new AppError('not_found', `image ${ref} not found`);
    },
    check: async (ref) => {
      if (!this.imageConfigs.has(ref)) throw new AppError('not_found', `image ${ref} not found`);
    },
    commit: async (sandboxId, ref) => {
      const b = this.box(sandboxId);
      this.imageConfigs.set(ref, {
        ...(this.imageConfigs.get(b.spec.image) ?? MEMORY_BASE_IMAGE),
        id: `sha256:${ref}`,
      });
      return { size: 0 };
    },
    remove: async (ref) => {
      this.imageConfigs.delete(ref);
    },
    list: async () => [],
    // A "tar" of one JSON line: what a load needs to recreate the reference.
    save: async (ref) => {
      const config = this.imageConfigs.get(ref);
      if (!config)
        throw new AppError('invalid_argument', `image ${ref} is not on this engine`, { reason: 'IMAGE_NOT_FOUND' });
      return Readable.from([Buffer.from(JSON.stringify({ ref, config }))]);
    },
    load: async (tar) => {
      const chunks: Buffer[] = [];
      for await (const c of tar) chunks.push(c as Buffer);
      const { ref, config } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        ref: string;
        config: ImageConfig;
      };
      this.imageConfigs.set(ref, config);
    },
    tag: async (ref, newRef) => {
      const config = this.imageConfigs.get(ref);
      if (!config) throw new AppError('not_found', `image ${ref} not found`);
      this.imageConfigs.set(newRef, config);
    },
    push: async (ref) => {
      if (!this.imageConfigs.has(ref)) throw new AppError('not_found', `image ${ref} not found`);
    },
  };

  /** How many fake daemons are connected (tests: "nothing left running"). */
  get running(): string[] {
    return [...this.boxes.values()].filter((b) => b.running).map((b) => b.spec.sandboxId);
  }

  private halt(b: Box, exitCode: number): void {
    b.running = false;
    b.paused = false;
    b.exitCode = exitCode;
    b.daemon?.close();
    b.daemon = null;
  }

  private box(sandboxId: string): Box {
    const b = this.boxes.get(sandboxId);
    if (!b) throw new AppError('not_found', `no such container: berth-${sandboxId}`);
    return b;
  }
}

/** Stands in for the daemon: the hello on the runner's socket, then HTTP/2 with the calls a lifecycle makes. */
class FakeDaemon {
  private readonly sock: net.Socket;
  private readonly server = http2.createServer();

  constructor(
    private readonly sandboxId: string,
    runDir: string,
    private readonly user: string,
    private readonly onEnv: (set: Record<string, string>) => void,
  ) {
    const secret = readFileSync(join(runDir, 'secret'), 'utf8').trim();
    this.server.on('stream', (stream, headers) => this.answer(stream, headers));
    this.server.on('sessionError', () => {});
    this.sock = net.connect(join(runDir, 'runner.sock'), () => {
      this.sock.write(helloLine(sandboxId, secret));
      this.server.emit('connection', this.sock);
    });
    this.sock.on('error', () => {});
  }

  private answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    stream.on('error', () => {});
    const path = String(headers[':path'] ?? '').split('?')[0];
    const json = (status: number, body: unknown) => {
      stream.respond({ ':status': status, 'content-type': 'application/json' });
      stream.end(JSON.stringify(body));
    };
    if (path === '/env') {
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (body += c));
      stream.on('end', () => {
        this.onEnv((JSON.parse(body || '{}') as { set?: Record<string, string> }).set ?? {});
        json(200, {});
      });
      return;
    }
    stream.resume(); // other request bodies are not needed
    if (path === '/health') {
      const health: DaemonHealth = {
        version: 'memory',
        protocol: DAEMON_PROTOCOL_VERSION,
        pid: 1,
        uid: 1000,
        gid: 1000,
        user: this.user || 'sandbox',
        home: '/home/sandbox',
        workdir: '/home/sandbox',
        uptimeMs: 0,
        rssBytes: 0,
        reaper: true,
      };
      json(200, health);
    } else if (path === '/files/remove-paths') json(200, {});
    else
      json(404, {
        code: 'not_implemented',
        message: `the in-memory daemon of ${this.sandboxId} does not serve ${path}`,
      });
  }

  close(): void {
    this.sock.destroy();
    this.server.close();
  }
}
