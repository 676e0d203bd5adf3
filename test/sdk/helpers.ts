// Shared set-up for the SDK compatibility suite: a real Berth server in this
// process, the real @daytonaio/sdk pointed at it, and clean-up of everything
// a test created (sandboxes, volumes, SDK sockets) so the process exits.
import {
  Daytona,
  type CreateSandboxFromImageParams,
  type CreateSandboxFromSnapshotParams,
  type Sandbox,
} from '@daytonaio/sdk';
import { startStack, type Stack, type StackOptions } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';

export interface SdkStack {
  stack: Stack;
  daytona: Daytona;
  /** Another client (e.g. with a different key or options); disposed with the stack. */
  client(opts?: { apiKey?: string; useDeprecatedPolling?: boolean }): Daytona;
  /** A small sandbox (cpu 1, memory 1 GiB) deleted at the end of the suite. */
  sandbox(params?: SandboxParams, timeout?: number): Promise<Sandbox>;
  close(): Promise<void>;
}

export const SMALL = { cpu: 1, memory: 1 } as const;

export type SandboxParams =
  | (CreateSandboxFromSnapshotParams & { resources?: CreateSandboxFromImageParams['resources'] })
  | CreateSandboxFromImageParams;

export async function sdkStack(o: StackOptions = {}): Promise<SdkStack> {
  const port = await freePort();
  const stack = await startStack({ ...o, config: { port, publicUrl: `http://127.0.0.1:${port}`, ...o.config } });
  const clients: Daytona[] = [];
  const client = (opts: { apiKey?: string; useDeprecatedPolling?: boolean } = {}) => {
    // apiUrl is explicit: the SDK must never pick one up from the environment or a dotenv file.
    const c = new Daytona({
      apiKey: opts.apiKey ?? stack.key,
      apiUrl: stack.apiUrl,
      useDeprecatedPolling: opts.useDeprecatedPolling,
    });
    clients.push(c);
    return c;
  };
  const daytona = client();
  const created: Sandbox[] = [];
  return {
    stack,
    daytona,
    client,
    async sandbox(params, timeout = 120) {
      const s = await daytona.create(
        { ...params, resources: { ...SMALL, ...params?.resources } } as CreateSandboxFromImageParams,
        { timeout },
      );
      created.push(s);
      return s;
    },
    async close() {
      for (const s of created) await s.delete(60).catch(() => {});
      for (const c of clients) await c[Symbol.asyncDispose]().catch(() => {});
      await stack.close();
      await removeRunnerVolumes(stack.runnerId);
    },
  };
}

/** Removes the engine volumes a test server made (the server never deletes volumes on its own). */
export async function removeRunnerVolumes(runnerId: string): Promise<void> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [`berth.runner=${runnerId}`] } });
  for (const v of Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove({ force: true })
      .catch(() => {});
}

/** Polls `f` until it returns a truthy value or `ms` pass. */
export async function eventually<T>(f: () => Promise<T> | T, ms = 10_000, every = 100): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** An API key of a second organization (for isolation tests), with the given permissions. */
export async function otherOrgKey(
  stack: Stack,
  permissions: string[] = [],
): Promise<{ key: string; organizationId: string }> {
  const { store, orch } = stack.server;
  const now = Date.now();
  const suffix = Math.random().toString(36).slice(2, 10);
  const organizationId = `org-${suffix}`;
  const userId = `user-${suffix}`;
  await store
    .knex('users')
    .insert({ id: userId, email: `${suffix}@example.test`, name: suffix, system_admin: false, created_at: now });
  await store
    .knex('organizations')
    .insert({ id: organizationId, name: suffix, personal: false, created_at: now, updated_at: now });
  await store
    .knex('memberships')
    .insert({ organization_id: organizationId, user_id: userId, role: 'member', created_at: now });
  const { value } = await orch.keys.create({ organizationId, userId, name: 'test', permissions });
  return { key: value, organizationId };
}
