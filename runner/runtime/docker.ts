// Docker implementation of ContainerRuntime. With docker-holders.ts and docker-errors.ts, the only files that import dockerode.
import Docker from 'dockerode';
import { chown, stat } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
// eslint-disable-next-line no-restricted-imports -- wall clock: waits between polls of the Docker engine
import { setTimeout as sleep } from 'node:timers/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { ImageConfig } from '../../common/wire/runner.js';
import { planExport, readChangesArchive, writeChangesArchive } from './changes-archive.js';
import { overlayChanges, type Change } from './overlay-changes.js';
import type {
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerStats,
  NetworkInfo,
  RuntimeInfo,
} from './interface.js';
import { BERTH_VERSION } from '../../common/version.js';
import { DockerHolders } from './docker-holders.js';
import { DockerImages } from './docker-images.js';
import { LABELS, message, status, wrap } from './docker-errors.js';

const execFileP = promisify(execFile);
/** Bytes each file or folder of a sandbox counts toward its disk limit, whatever its size. */
const INODE_CHARGE = 4096;
const containerName = (sandboxId: string) => `berth-${sandboxId}`;
const keepRef = (sandboxId: string) => `berth-keep/${sandboxId}:base`;
/** The holder container whose network namespace a container joined (`container:<id>` mode), if any. */
const holderOf = (c: Docker.ContainerInspectInfo | null): string | null => {
  const mode = c?.HostConfig?.NetworkMode ?? '';
  return mode.startsWith('container:') ? mode.slice('container:'.length) : null;
};

export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  readonly holders: DockerHolders;
  readonly images: DockerImages;
  /** Set by info(): whether a container's overlay2 upper folder alone tells what it changed. */
  private nativeOverlayDiff = false;

  constructor(socketPath: string) {
    this.docker = new Docker({ socketPath, timeout: 0 });
    this.holders = new DockerHolders(this.docker);
    this.images = new DockerImages(this.docker);
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (e) {
      throw wrap(e, 'reach the engine');
    }
  }

  async info(): Promise<RuntimeInfo> {
    try {
      const i = await this.docker.info();
      const status = new Map<string, string>((i.DriverStatus ?? []) as [string, string][]);
      const backing = status.get('Backing Filesystem') ?? 'unknown';
      this.nativeOverlayDiff = i.Driver === 'overlay2' && status.get('Native Overlay Diff') === 'true';
      return {
        engine: 'docker',
        version: i.ServerVersion,
        runtimes: Object.keys(i.Runtimes ?? {}),
        runtimeArgs: Object.fromEntries(
          Object.entries((i.Runtimes ?? {}) as Record<string, { runtimeArgs?: string[] }>).map(([k, v]) => [
            k,
            v?.runtimeArgs ?? [],
          ]),
        ),
        storageDriver: i.Driver,
        backingFilesystem: backing,
        cgroupVersion: i.CgroupVersion ?? '1',
        cpus: i.NCPU,
        memoryBytes: i.MemTotal,
        // overlay2 enforces size= only on xfs mounted with project quotas.
        diskQuota: i.Driver === 'overlay2' && backing === 'xfs',
      };
    } catch (e) {
      throw wrap(e, 'read engine info');
    }
  }

  async imageConfig(ref: string): Promise<ImageConfig | null> {
    try {
      const img = await this.docker.getImage(ref).inspect();
      const c = img.Config ?? ({} as Docker.ImageInspectInfo['Config']);
      return {
        command: [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])],
        workdir: c.WorkingDir ?? '',
        user: c.User ?? '',
        env: c.Env ?? [],
        size: img.Size,
        id: img.Id,
      };
    } catch (e) {
      if (status(e) === 404) return null;
      throw wrap(e, `inspect image ${ref}`);
    }
  }

  async ensureNetwork(name: string, subnet: string): Promise<NetworkInfo> {
    const describe = (n: Docker.NetworkInspectInfo): NetworkInfo => ({
      bridge: n.Options?.['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`,
      subnet: n.IPAM?.Config?.[0]?.Subnet ?? subnet,
      gateway: n.IPAM?.Config?.[0]?.Gateway ?? '',
    });
    try {
      return describe(await this.docker.getNetwork(name).inspect());
    } catch (e) {
      if (status(e) !== 404) throw wrap(e, `inspect network ${name}`);
    }
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        EnableIPv6: false,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
        Options: {
          // Sandboxes must not talk to each other over the bridge.
          'com.docker.network.bridge.enable_icc': 'false',
          'com.docker.network.bridge.name': `${name.slice(0, 10)}0`,
        },
        Labels: { [LABELS.managed]: 'true', [LABELS.version]: BERTH_VERSION },
      });
    } catch (e) {
      // Another Berth on this host is creating it at the same moment: the engine answers
      // 409, or "pool overlaps" when both passed its duplicate check, before the other's
      // network can be inspected.
      for (let i = 0; i < 20; i++) {
        const made = await this.docker
          .getNetwork(name)
          .inspect()
          .catch(() => null);
        if (made) return describe(made);
        await sleep(250);
      }
      if (/overlap/i.test(message(e))) {
        throw new AppError(
          'failed_precondition',
          `the sandbox network's subnet ${subnet} is taken by another Docker network`,
          {
            hint: 'pick a free one with BERTH_NETWORK_SUBNET (`docker network inspect $(docker network ls -q)` shows the subnets in use)',
            reason: 'SUBNET_TAKEN',
          },
        );
      }
      throw wrap(e, `create network ${name}`);
    }
    return describe(await this.docker.getNetwork(name).inspect());
  }

  async create(spec: ContainerSpec): Promise<void> {
    const hostConfig: Docker.HostConfig = {
      // nocopy: a volume holds what sandboxes write, never a copy of whatever the first image had at that path.
      Binds: [
        ...spec.mounts.map((m) => `${m.source}:${m.target}:${m.readOnly ? 'ro' : 'rw'}`),
        ...spec.volumes.map((v) => `${v.name}:${v.target}:rw,nocopy`),
      ],
      CapDrop: ['ALL'],
      CapAdd: spec.capAdd,
      SecurityOpt: ['no-new-privileges:true'],
      PidsLimit: spec.pidsLimit,
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      NanoCpus: Math.round(spec.cpu * 1e9),
      OomScoreAdj: 500,
      Ulimits: [
        // Within the hard limit engines commonly run with (this host's dockerd: 20000).
        { Name: 'nofile', Soft: 8192, Hard: 8192 },
        { Name: 'core', Soft: 0, Hard: 0 },
        { Name: 'fsize', Soft: spec.diskBytes, Hard: spec.diskBytes },
      ],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
      NetworkMode: spec.netns ? `container:${spec.netns}` : (spec.network ?? 'none'),
      RestartPolicy: { Name: 'no' },
      Init: false,
      Privileged: false,
      ...(spec.runtime === 'gvisor' ? { Runtime: 'runsc' } : {}),
    };
    try {
      await this.docker.createContainer({
        name: containerName(spec.sandboxId),
        Image: spec.image,
        Entrypoint: spec.entrypoint,
        Cmd: [],
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        User: spec.user,
        WorkingDir: spec.workdir,
        // A shared network namespace brings its holder's hostname (also `sandbox`); the engine refuses both.
        ...(spec.netns ? {} : { Hostname: 'sandbox' }),
        StopSignal: 'SIGTERM',
        StopTimeout: 5,
        Labels: {
          [LABELS.sandbox]: spec.sandboxId,
          [LABELS.runner]: spec.runnerId,
          [LABELS.organization]: spec.organizationId,
          [LABELS.version]: BERTH_VERSION,
          [LABELS.managed]: 'true',
          ...(spec.pooled ? { [LABELS.pool]: 'true' } : {}),
        },
        HostConfig: hostConfig,
        NetworkingConfig: spec.network && !spec.netns ? { EndpointsConfig: { [spec.network]: {} } } : undefined,
      });
    } catch (e) {
      if (status(e) === 409 && /already in use/.test(message(e))) {
        // Created before a crash: it may not have been detached yet.
        if (spec.network && spec.networkDetached && !spec.netns)
          await this.setNetworkAttached(spec.sandboxId, spec.network, false);
        return;
      }
      if (status(e) === 404) {
        throw new AppError('invalid_argument', `image ${spec.image} is not available on this host`, {
          hint: 'build or load it first (`docker images` lists what exists), or use a snapshot name from GET /api/snapshots',
          reason: 'IMAGE_NOT_FOUND',
        });
      }
      throw wrap(e, `create the container of sandbox ${spec.sandboxId}`);
    }
    if (spec.network && spec.networkDetached && !spec.netns) {
      // Never started with a network it must not have: detach now, or do not keep the container.
      try {
        await this.setNetworkAttached(spec.sandboxId, spec.network, false);
      } catch (e) {
        await this.remove(spec.sandboxId).catch(() => {});
        throw e;
      }
    }
  }

  async update(sandboxId: string, limits: { cpu: number; memoryBytes: number }): Promise<void> {
    try {
      await this.docker
        .getContainer(containerName(sandboxId))
        .update({ NanoCpus: Math.round(limits.cpu * 1e9), Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes });
    } catch (e) {
      if (status(e) === 404) return;
      if (status(e) === 500 && /memory|busy/i.test(message(e))) {
        throw new AppError(
          'failed_precondition',
          `cannot change the memory limit of sandbox ${sandboxId}: ${message(e)}`,
          { hint: 'the sandbox uses more memory than the new limit; free memory or stop the sandbox first' },
        );
      }
      throw wrap(e, `resize sandbox ${sandboxId}`);
    }
  }

  async setNetworkAttached(sandboxId: string, network: string, attached: boolean): Promise<boolean> {
    let c: Docker.ContainerInspectInfo;
    try {
      c = await this.docker.getContainer(containerName(sandboxId)).inspect();
      // The network belongs to the holder whose namespace the sandbox shares.
      const netns = holderOf(c);
      if (netns) c = await this.docker.getContainer(netns).inspect();
    } catch (e) {
      if (status(e) === 404) return true;
      throw wrap(e, `inspect sandbox ${sandboxId}`);
    }
    const isAttached = Object.keys(c.NetworkSettings?.Networks ?? {}).includes(network);
    if (isAttached === attached) return true;
    if (attached && c.HostConfig?.NetworkMode === 'none') return false;
    try {
      const net = this.docker.getNetwork(network);
      if (attached) await net.connect({ Container: c.Id });
      else await net.disconnect({ Container: c.Id, Force: true });
      return true;
    } catch (e) {
      throw wrap(e, `${attached ? 'attach' : 'detach'} the network of sandbox ${sandboxId}`);
    }
  }

  async createVolume(name: string, labels: Record<string, string>, owner: { uid: number; gid: number }): Promise<void> {
    try {
      await this.docker.createVolume({
        Name: name,
        Driver: 'local',
        Labels: { ...labels, [LABELS.managed]: 'true', [LABELS.version]: BERTH_VERSION },
      });
    } catch (e) {
      throw wrap(e, `create volume ${name}`);
    }
    // A fresh volume's root belongs to root; the sandbox user must be able to write it.
    // Safe to touch on the host: no container has mounted it yet.
    const path = await this.volumePath(name);
    if (path) await chown(path, owner.uid, owner.gid).catch(() => {});
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (e) {
      if (status(e) === 404) return;
      if (status(e) === 409)
        throw new AppError('conflict', `volume ${name} is in use by a container`, {
          hint: 'delete or archive the sandboxes that mount it first',
        });
      throw wrap(e, `remove volume ${name}`);
    }
  }

  async volumeExists(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (e) {
      if (status(e) === 404) return false;
      throw wrap(e, `inspect volume ${name}`);
    }
  }

  async volumePath(name: string): Promise<string | null> {
    try {
      const v = await this.docker.getVolume(name).inspect();
      return v.Mountpoint &&
        (await stat(v.Mountpoint).then(
          (st) => st.isDirectory(),
          () => false,
        ))
        ? v.Mountpoint
        : null;
    } catch (e) {
      if (status(e) === 404) return null;
      throw wrap(e, `inspect volume ${name}`);
    }
  }

  async start(sandboxId: string): Promise<void> {
    const container = this.docker.getContainer(containerName(sandboxId));
    try {
      await container.start();
      return;
    } catch (e) {
      if (status(e) === 304) return; // already running
      // A container in a holder's network namespace cannot start while the holder is
      // stopped (after an engine or host restart, every container is): start it first.
      // Asked of the engine, not read from the error, whose wording varies by version.
      const netns = holderOf(await container.inspect().catch(() => null));
      const holder = netns ? await this.holders.running(netns).catch(() => undefined) : undefined;
      if (holder === null) {
        throw new AppError('failed_precondition', `the network of sandbox ${sandboxId} was removed outside Berth`, {
          hint: 'archive and start the sandbox to give it a new one (its files are kept)',
          reason: 'NETWORK_LOST',
        });
      }
      if (holder !== false) throw wrap(e, `start sandbox ${sandboxId}`);
      await this.holders.start(netns!);
    }
    try {
      await container.start();
    } catch (e) {
      if (status(e) !== 304) throw wrap(e, `start sandbox ${sandboxId}`);
    }
  }

  async pause(sandboxId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerName(sandboxId)).pause();
    } catch (e) {
      if (/already paused/i.test(message(e))) return;
      if (status(e) === 409 && /not running/i.test(message(e)))
        throw new AppError('failed_precondition', `sandbox ${sandboxId} is not running`, { hint: 'start it first' });
      throw wrap(e, `pause sandbox ${sandboxId}`);
    }
  }

  async unpause(sandboxId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerName(sandboxId)).unpause();
    } catch (e) {
      if (status(e) === 404 || /not paused/i.test(message(e))) return;
      throw wrap(e, `resume sandbox ${sandboxId}`);
    }
  }

  async stats(sandboxId: string): Promise<ContainerStats | null> {
    try {
      const c = this.docker.getContainer(containerName(sandboxId));
      const s = (await c.stats({ stream: false, 'one-shot': true } as {
        stream: false;
      })) as unknown as Docker.ContainerStats & { read?: string };
      if (!s.memory_stats?.usage && !s.cpu_stats?.cpu_usage?.total_usage) return null;
      let nets = Object.values(s.networks ?? {});
      if (!nets.length) {
        // In a holder's network namespace, traffic is counted on the holder.
        const holder = holderOf(await c.inspect().catch(() => null));
        if (holder)
          nets = Object.values(
            (
              (await this.docker
                .getContainer(holder)
                .stats({ stream: false, 'one-shot': true } as { stream: false })
                .catch(() => null)) as Docker.ContainerStats | null
            )?.networks ?? {},
          );
      }
      const mem = s.memory_stats as { usage?: number; limit?: number; stats?: Record<string, number> };
      const cache = mem.stats?.cache ?? mem.stats?.inactive_file ?? 0;
      return {
        cpuNanos: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
        systemNanos: s.cpu_stats?.system_cpu_usage ?? 0,
        onlineCpus: s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1,
        memoryBytes: Math.max(0, (mem.usage ?? 0) - cache),
        cacheBytes: cache,
        memoryLimitBytes: mem.limit ?? 0,
        rxBytes: nets.reduce((a, n) => a + (n.rx_bytes ?? 0), 0),
        txBytes: nets.reduce((a, n) => a + (n.tx_bytes ?? 0), 0),
      };
    } catch (e) {
      if (status(e) === 404 || status(e) === 409) return null;
      throw wrap(e, `read the stats of sandbox ${sandboxId}`);
    }
  }

  async logs(
    sandboxId: string,
    o: { since?: number; until?: number; tail?: number },
  ): Promise<{ at: number; stream: 'stdout' | 'stderr'; text: string }[]> {
    let raw: Buffer;
    try {
      raw = (await this.docker.getContainer(containerName(sandboxId)).logs({
        follow: false,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(o.since ? { since: Math.floor(o.since / 1000) } : {}),
        ...(o.until ? { until: Math.ceil(o.until / 1000) } : {}),
        ...(o.tail ? { tail: o.tail } : {}),
      })) as unknown as Buffer;
    } catch (e) {
      if (status(e) === 404) return [];
      throw wrap(e, `read the logs of sandbox ${sandboxId}`);
    }
    const out: { at: number; stream: 'stdout' | 'stderr'; text: string }[] = [];
    const collect = (stream: 'stdout' | 'stderr') => {
      const p = new PassThrough();
      let rest = '';
      p.on('data', (c: Buffer) => {
        const lines = (rest + c.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) {
          const sp = l.indexOf(' ');
          out.push({ at: Date.parse(l.slice(0, sp)), stream, text: l.slice(sp + 1) });
        }
      });
      return p;
    };
    const input = new PassThrough();
    const stdout = collect('stdout');
    const stderr = collect('stderr');
    this.docker.modem.demuxStream(input, stdout, stderr);
    await new Promise<void>((resolve) => {
      input.on('end', () => setImmediate(resolve));
      input.end(raw);
    });
    return out.sort((a, b) => a.at - b.at);
  }

  async stop(sandboxId: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(containerName(sandboxId)).stop({ t: graceSeconds });
    } catch (e) {
      if (status(e) === 304 || status(e) === 404) return;
      throw wrap(e, `stop sandbox ${sandboxId}`);
    }
  }

  async remove(sandboxId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerName(sandboxId)).remove({ force: true, v: true });
    } catch (e) {
      if (status(e) === 404) return;
      if (status(e) === 409 && /already in progress/.test(message(e))) return;
      throw wrap(e, `remove sandbox ${sandboxId}`);
    }
  }

  async inspect(sandboxId: string): Promise<ContainerState | null> {
    try {
      const c = await this.docker.getContainer(containerName(sandboxId)).inspect();
      const netns = holderOf(c);
      // In a holder's namespace the address is the holder's.
      const nets = Object.values(
        (netns
          ? (
              await this.docker
                .getContainer(netns)
                .inspect()
                .catch(() => null)
            )?.NetworkSettings?.Networks
          : c.NetworkSettings?.Networks) ?? {},
      );
      return {
        running: !!c.State?.Running,
        paused: !!c.State?.Paused,
        exitCode: c.State?.ExitCode ?? 0,
        oomKilled: !!c.State?.OOMKilled,
        ip: nets.find((n) => n.IPAddress)?.IPAddress ?? null,
        imageId: c.Image,
        netns,
        pooled: c.Config?.Labels?.[LABELS.pool] === 'true',
      };
    } catch (e) {
      if (status(e) === 404) return null;
      throw wrap(e, `inspect sandbox ${sandboxId}`);
    }
  }

  async list(runnerId: string | null): Promise<{ sandboxId: string; running: boolean }[]> {
    try {
      const label = [`${LABELS.managed}=true`, ...(runnerId ? [`${LABELS.runner}=${runnerId}`] : [])];
      const all = await this.docker.listContainers({ all: true, filters: { label } });
      return all
        .map((c) => ({ sandboxId: c.Labels[LABELS.sandbox] ?? '', running: c.State === 'running' }))
        .filter((c) => c.sandboxId);
    } catch (e) {
      throw wrap(e, 'list sandbox containers');
    }
  }

  /**
   * Bytes in the container's writable layer. The engine's own size query walks
   * the whole image on kernels where overlay2 falls back to naive diff, so this
   * measures the upper directory with `du`, which never follows symlinks (fts
   * physical walk) — the host reads metadata only, no path the sandbox wrote is
   * resolved or opened.
   */
  async writableBytes(sandboxId: string): Promise<number | null> {
    let upper: string | undefined;
    try {
      const c = await this.docker.getContainer(containerName(sandboxId)).inspect();
      upper = (c.GraphDriver?.Data as Record<string, string> | undefined)?.UpperDir;
    } catch (e) {
      if (status(e) === 404) return null;
      throw wrap(e, `measure sandbox ${sandboxId}`);
    }
    if (!upper) return null;
    try {
      const { stdout } = await execFileP('du', ['-s', '-x', '-P', '-B1', upper], { encoding: 'utf8', timeout: 60_000 });
      // Inodes are a host resource the byte count misses (a million empty files
      // use no blocks): every entry is charged one 4 KiB block.
      const inodes = await execFileP('du', ['-s', '-x', '-P', '--inodes', upper], {
        encoding: 'utf8',
        timeout: 60_000,
      }).then(
        (r) => Number(r.stdout.split(/\s/)[0]) || 0,
        () => 0,
      );
      return Number(stdout.split(/\s/)[0]) + inodes * INODE_CHARGE;
    } catch {
      return null;
    }
  }

  /**
   * Streams what the sandbox changed on top of its image, from the engine's
   * change list: one tar whose first entry lists deleted paths, then every
   * added or modified path (folders whole) as `docker cp` would copy it.
   * Archives are as small and as fast as the changes; base layers stay pinned.
   */
  async exportChanges(sandboxId: string, out: Writable): Promise<void> {
    const container = this.docker.getContainer(containerName(sandboxId));
    try {
      const inspected = await container.inspect();
      const changes = (await this.upperChanges(inspected)) ?? (await container.changes()) ?? [];
      // Volumes live outside the sandbox: their data must never be copied into (or back from) an archive.
      const mounts = (inspected.Mounts ?? []).map((m) => m.Destination);
      await writeChangesArchive(
        planExport(changes, mounts),
        async (root) => (await container.getArchive({ path: root })) as unknown as Readable,
        out,
      );
    } catch (e) {
      throw wrap(e, `export sandbox ${sandboxId}`);
    }
  }

  /** The changes read from the container's overlay2 upper folder when this host can (overlay-changes.ts); else null. */
  private async upperChanges(c: Docker.ContainerInspectInfo): Promise<Change[] | null> {
    const data = (c.GraphDriver?.Data ?? {}) as { UpperDir?: string; LowerDir?: string };
    if (!this.nativeOverlayDiff || c.GraphDriver?.Name !== 'overlay2' || !data.UpperDir || !data.LowerDir) return null;
    if (
      !(await stat(data.UpperDir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      return null; // the engine is elsewhere
    // Anything unexpected there (no GNU tar, a folder it cannot read): the engine's own, slower diff.
    return overlayChanges(data.UpperDir, data.LowerDir.split(':')).catch(() => null);
  }

  /** Writes an export into a created (not yet started) container; returns the paths to delete. */
  async importChanges(sandboxId: string, input: Readable): Promise<string[]> {
    const container = this.docker.getContainer(containerName(sandboxId));
    try {
      // Without copyUIDGID the engine keeps the owners recorded in the tar headers.
      return await readChangesArchive(input, (entries) =>
        container.putArchive(entries as unknown as NodeJS.ReadableStream, { path: '/' }),
      );
    } catch (e) {
      throw wrap(e, `restore the archive of sandbox ${sandboxId}`);
    }
  }

  async keepBase(sandboxId: string, image: string): Promise<void> {
    try {
      await this.docker.getImage(image).tag({ repo: `berth-keep/${sandboxId}`, tag: 'base' });
    } catch (e) {
      throw wrap(e, `pin the image of sandbox ${sandboxId}`);
    }
  }

  keepRef(sandboxId: string): string {
    return keepRef(sandboxId);
  }

  async forgetImages(sandboxId: string): Promise<void> {
    try {
      await this.docker.getImage(keepRef(sandboxId)).remove({ noprune: true });
    } catch (e) {
      if (status(e) === 404) return;
      throw wrap(e, `unpin the image of sandbox ${sandboxId}`);
    }
  }
}

export { planExport } from './changes-archive.js';
