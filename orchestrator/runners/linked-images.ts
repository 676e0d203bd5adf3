// Images on an API-only replica (BERTH_LOCAL_RUNNER=false), which has no engine
// of its own to read, pull or send them from. The runners linked to it are the
// source instead: an image's config is read from a runner that holds it, and a
// runner that lacks it gets it from one that holds it, over both links (their
// flow control paces it end to end). An image no linked runner holds comes
// from the cluster registry (BERTH_REGISTRY_URL), pulled by the sandbox's own
// runner; without one, the create is refused with how to pre-load it.
import type { Readable } from 'node:stream';
import { AppError } from '../../common/errors.js';
import type { ImageConfig, RegistryCredentials, RunnerClient } from '../../common/wire/runner.js';
import { registryRefFor } from './images.js';
import { NoLocalRunner } from './no-local-runner.js';

export interface LinkedImagesDeps {
  /** Runners linked to this replica now. */
  linked(): string[];
  client(runnerId: string): RunnerClient;
  /** BERTH_REGISTRY_URL. */
  registryUrl?: string;
}

export class LinkedImages {
  constructor(private readonly d: LinkedImagesDeps) {}

  /** A linked runner that holds `ref`, with the image's config; null when none does (or none answers). */
  async holder(ref: string): Promise<{ runner: RunnerClient; config: ImageConfig } | null> {
    for (const id of this.d.linked()) {
      const runner = this.d.client(id);
      const config = await runner.inspectImage(ref).catch(() => null);
      if (config) return { runner, config };
    }
    return null;
  }

  /** The image's config from a linked runner; `no_capacity` while no runner is linked (nothing could run it). */
  async inspectImage(ref: string): Promise<ImageConfig | null> {
    if (!this.d.linked().length)
      throw new AppError('no_capacity', 'no runner is linked to this API-only replica (BERTH_LOCAL_RUNNER=false)', {
        hint: 'start `berth runner` on a Docker host with a token from `berth runner token create` (docs/scale-out.md); GET /api/runners lists them',
      });
    return (await this.holder(ref))?.config ?? null;
  }

  /**
   * For an image no linked runner holds: the cluster registry must have it (as
   * `<registry>/<ref>`, asked through a linked runner's engine), else the refusal.
   */
  async checkImage(ref: string, auth: RegistryCredentials | null): Promise<void> {
    const registry = this.d.registryUrl;
    const via = this.d.linked()[0];
    if (!registry || !via) throw notOnRunners(ref, registry);
    void auth; // the cluster registry takes no login
    await this.d.client(via).checkImage(registryRefFor(registry, ref), null);
  }

  /** Pulls `ref` from the cluster registry onto `runner` (a sandbox's runner, before its start). */
  async pullFromRegistry(runner: RunnerClient, ref: string): Promise<void> {
    if (!this.d.registryUrl) throw notOnRunners(ref, undefined);
    await runner.pullImageAs(registryRefFor(this.d.registryUrl, ref), ref);
  }

  /** The source images are sent from (ImageDistributor's `local`): whichever linked runner holds them. */
  source(id: string): RunnerClient {
    return new LinkedImageSource(id, this);
  }
}

class LinkedImageSource extends NoLocalRunner {
  constructor(
    id: string,
    private readonly images: LinkedImages,
  ) {
    super(id);
  }
  override inspectImage: RunnerClient['inspectImage'] = (ref) => this.images.inspectImage(ref);
  override saveImage: RunnerClient['saveImage'] = async (ref): Promise<Readable> => {
    const found = await this.images.holder(ref);
    if (!found) throw notOnRunners(ref, undefined);
    return found.runner.saveImage(ref);
  };
}

function notOnRunners(ref: string, registry: string | undefined): AppError {
  return new AppError(
    'failed_precondition',
    `image ${ref} is on none of the runners linked to this API-only replica (BERTH_LOCAL_RUNNER=false)`,
    {
      hint: registry
        ? `push it to the cluster registry as ${registryRefFor(registry, ref)}, or pre-load it on a runner's host (\`docker pull ${ref}\` there)`
        : `pre-load it on a runner's host (\`docker pull ${ref}\` there; it is sent to the other runners from there), or set BERTH_REGISTRY_URL to a registry that holds it`,
      reason: 'IMAGE_NOT_ON_RUNNERS',
    },
  );
}
