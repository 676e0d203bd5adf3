// Direct Docker access for tests: inspecting what Berth created and cleaning
// up after a test, independent of Berth itself.
import Docker from 'dockerode';

export const docker = new Docker({ socketPath: process.env.BERTH_DOCKER_SOCKET ?? '/var/run/docker.sock' });

export async function runnerContainers(runnerId: string) {
  return docker.listContainers({ all: true, filters: { label: [`berth.runner=${runnerId}`] } });
}

export async function removeRunnerContainers(runnerId: string): Promise<void> {
  for (const c of await runnerContainers(runnerId)) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    const id = c.Labels['berth.sandbox'];
    if (id) await docker.getImage(`berth-keep/${id}:base`).remove({ noprune: true }).catch(() => {});
  }
}

export const containerOf = (sandboxId: string) => docker.getContainer(`berth-${sandboxId}`);
