// Network-namespace holders on Docker (runner/netns-pool.ts): a one-file
// image with a static pause binary, and the containers made from it.
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tar from 'tar-stream';
import { BERTH_VERSION } from '../../common/version.js';
import { LABELS, message, status, wrap } from './docker-errors.js';
import type { NetnsHolders } from './interface.js';

export class DockerHolders implements NetnsHolders {
  constructor(private readonly docker: Docker) {}

  async ensureImage(binary: string): Promise<string> {
    const bytes = await readFile(binary);
    const ref = `berth/netns-holder:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
    try {
      await this.docker.getImage(ref).inspect();
      return ref;
    } catch (e) {
      if (status(e) !== 404) throw wrap(e, 'inspect the holder image');
    }
    const pack = tar.pack();
    pack.entry({ name: 'pause', mode: 0o755 }, bytes);
    pack.finalize();
    const [repo, tag] = ref.split(':') as [string, string];
    try {
      const stream = await this.docker.importImage(pack as unknown as NodeJS.ReadableStream, {
        repo,
        tag,
        changes: ['ENTRYPOINT ["/pause"]', `LABEL ${LABELS.managed}=true`],
      });
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (e) {
      throw wrap(e, 'import the holder image');
    }
    return ref;
  }

  async create(name: string, image: string, network: string, runnerId: string): Promise<void> {
    try {
      const c = await this.docker.createContainer({
        name,
        Image: image,
        Hostname: 'sandbox',
        User: '65534:65534',
        Labels: {
          [LABELS.runner]: runnerId,
          [LABELS.managed]: 'true',
          [LABELS.role]: 'netns',
          [LABELS.version]: BERTH_VERSION,
        },
        HostConfig: {
          NetworkMode: network,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges:true'],
          ReadonlyRootfs: true,
          PidsLimit: 4,
          Memory: 16 << 20,
          MemorySwap: 16 << 20,
          LogConfig: { Type: 'none', Config: {} },
          RestartPolicy: { Name: 'no' },
        },
        NetworkingConfig: { EndpointsConfig: { [network]: {} } },
      });
      await c.start();
    } catch (e) {
      throw wrap(e, `create the network holder ${name}`);
    }
  }

  async running(name: string): Promise<boolean | null> {
    try {
      return !!(await this.docker.getContainer(name).inspect()).State?.Running;
    } catch (e) {
      if (status(e) === 404) return null;
      throw wrap(e, `inspect the network holder ${name}`);
    }
  }

  async start(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).start();
    } catch (e) {
      if (status(e) !== 304) throw wrap(e, `start the network holder ${name}`);
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    try {
      await this.docker.getContainer(from).rename({ name: to });
      return true;
    } catch (e) {
      if (status(e) === 404) return false;
      throw wrap(e, `rename the network holder ${from}`);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true });
    } catch (e) {
      if (status(e) === 404 || (status(e) === 409 && /already in progress/.test(message(e)))) return;
      throw wrap(e, `remove the network holder ${name}`);
    }
  }

  async list(runnerId: string): Promise<string[]> {
    try {
      const all = await this.docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.role}=netns`, `${LABELS.runner}=${runnerId}`] },
      });
      return all.map((c) => (c.Names[0] ?? '').replace(/^\//, '')).filter(Boolean);
    } catch (e) {
      throw wrap(e, 'list network holders');
    }
  }
}
