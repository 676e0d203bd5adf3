// What a warm-pool member is made for, and whether a create request can be
// served by one. Pure functions: the pool (pool.ts) and the create path
// (sandboxes/create.ts) share them, and unit tests pin the rules.
import type { ImageConfig, SandboxRuntimeSpec } from '../../common/wire/runner.js';

/**
 * A resource class: members are started with these limits, as this user,
 * running this command. A request fits when it asks for the same image,
 * command and user and at most these resources (less cpu or memory is set by
 * a live `docker update` at claim; less disk is watched from the store).
 */
export interface PoolClass {
  image: string;
  command: string[];
  user: string;
  cpu: number;
  memory: number;
  disk: number;
}

/** What a create asks for, resolved (snapshot, defaults, organization policy). */
export interface WarmRequest extends PoolClass {
  runtime: 'runc' | 'gvisor';
  volumes: number;
}

export const classKey = (c: PoolClass): string => JSON.stringify([c.image, c.command, c.user, c.cpu, c.memory, c.disk]);

export type MissReason = 'off' | 'volumes' | 'runtime' | 'image' | 'user' | 'class' | 'empty' | 'raced' | 'runner';

/**
 * The classes that can serve `req`, closest first (the smallest that fits, so
 * a small request does not take a big member when a small one exists), or
 * the reason none can.
 */
export function fittingClasses(req: WarmRequest, classes: PoolClass[]): { keys: string[] } | { miss: MissReason } {
  if (!classes.length) return { miss: 'off' };
  if (req.volumes > 0) return { miss: 'volumes' };
  if (req.runtime !== 'runc') return { miss: 'runtime' };
  const command = JSON.stringify(req.command);
  const sameImage = classes.filter((c) => c.image === req.image && JSON.stringify(c.command) === command);
  if (!sameImage.length) return { miss: 'image' };
  const sameUser = sameImage.filter((c) => c.user === req.user);
  if (!sameUser.length) return { miss: 'user' };
  const fits = sameUser.filter((c) => req.cpu <= c.cpu && req.memory <= c.memory && req.disk <= c.disk);
  if (!fits.length) return { miss: 'class' };
  fits.sort((a, b) => a.memory - b.memory || a.cpu - b.cpu || a.disk - b.disk);
  return { keys: fits.map(classKey) };
}

/** The runtime spec a member of `c` is started with: no organization, no env, default network policy. */
export function memberSpec(id: string, c: PoolClass, imageConfig: ImageConfig | undefined): SandboxRuntimeSpec {
  return {
    sandboxId: id,
    organizationId: '',
    image: c.image,
    user: c.user,
    env: {},
    cpu: c.cpu,
    memoryGiB: c.memory,
    diskGiB: c.disk,
    network: { blockAll: false, allowList: [] },
    runtime: 'runc',
    imageConfig: imageConfig ? { ...imageConfig, command: c.command } : undefined,
    pooled: true,
  };
}
