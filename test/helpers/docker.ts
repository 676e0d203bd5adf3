// Direct Docker access for tests: inspecting what Berth created and cleaning
// up after a test, independent of Berth itself.
import Docker from 'dockerode';

export const docker = new Docker({ socketPath: process.env.BERTH_DOCKER_SOCKET ?? '/var/run/docker.sock' });

const everything = (runnerId: string) =>
  docker.listContainers({ all: true, filters: { label: [`berth.runner=${runnerId}`] } });

/** The runner's sandbox containers (not the network-namespace holders). */
export async function runnerContainers(runnerId: string) {
  return (await everything(runnerId)).filter((c) => c.Labels['berth.role'] !== 'netns');
}

/** Names of the runner's network-namespace holders (ready ones and those of sandboxes). */
export async function runnerHolders(runnerId: string): Promise<string[]> {
  return (await everything(runnerId))
    .filter((c) => c.Labels['berth.role'] === 'netns')
    .map((c) => (c.Names[0] ?? '').replace(/^\//, ''));
}

export async function removeRunnerContainers(runnerId: string): Promise<void> {
  for (const c of await everything(runnerId)) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
    const id = c.Labels['berth.sandbox'];
    if (id)
      await docker
        .getImage(`berth-keep/${id}:base`)
        .remove({ noprune: true })
        .catch(() => {});
  }
}

export const containerOf = (sandboxId: string) => docker.getContainer(`berth-${sandboxId}`);

/** The container that owns a sandbox's network: its own, or the holder whose namespace it joined. */
export async function networkOf(sandboxId: string) {
  const c = await containerOf(sandboxId).inspect();
  const mode = c.HostConfig.NetworkMode ?? '';
  return mode.startsWith('container:') ? docker.getContainer(mode.slice('container:'.length)).inspect() : c;
}

/** A sandbox's address: its own, or that of the holder whose network namespace it joined. */
export async function sandboxIp(sandboxId: string): Promise<string> {
  return Object.values((await networkOf(sandboxId)).NetworkSettings.Networks)[0]!.IPAddress;
}
