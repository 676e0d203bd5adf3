// Git in a sandbox, with the image's git binary. Request shapes use the
// Daytona wire names (snake_case); credentials pass through to the daemon,
// which hands them to git over a pipe only.
import type { z } from 'zod';
import type {
  GitAdd,
  GitAddRemote,
  GitBranch,
  GitCheckout,
  GitClone,
  GitCommit,
  GitCommitInfo,
  GitConfigureUser,
  GitInit,
  GitRemoteOp,
  GitReset,
  GitRestore,
  GitSetConfig,
  GitStatus,
} from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

type In<S extends z.ZodTypeAny> = z.input<S>;
export type GitScope = 'global' | 'local' | 'system';

export class GitToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  private call<T>(
    p: Principal,
    id: string,
    method: string,
    path: string,
    opts: { body?: unknown; query?: Record<string, string | undefined>; signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<T>(method, path, opts));
  }

  clone(p: Principal, id: string, req: In<typeof GitClone>, signal?: AbortSignal): Promise<{ path: string }> {
    return this.call(p, id, 'POST', '/git/clone', { body: req, signal });
  }
  status(p: Principal, id: string, path: string): Promise<GitStatus> {
    return this.call(p, id, 'GET', '/git/status', { query: { path } });
  }
  branches(p: Principal, id: string, path: string): Promise<{ branches: string[]; current?: string }> {
    return this.call(p, id, 'GET', '/git/branches', { query: { path } });
  }
  /** Creates the branch at HEAD and switches to it (as the reference daemon does). */
  async createBranch(p: Principal, id: string, req: In<typeof GitBranch>): Promise<void> {
    await this.call(p, id, 'POST', '/git/branches', { body: req });
  }
  async deleteBranch(p: Principal, id: string, req: In<typeof GitBranch>): Promise<void> {
    await this.call(p, id, 'DELETE', '/git/branches', { body: req });
  }
  async checkout(p: Principal, id: string, req: In<typeof GitCheckout>): Promise<void> {
    await this.call(p, id, 'POST', '/git/checkout', { body: req });
  }
  async add(p: Principal, id: string, req: In<typeof GitAdd>): Promise<void> {
    await this.call(p, id, 'POST', '/git/add', { body: req });
  }
  commit(p: Principal, id: string, req: In<typeof GitCommit>): Promise<{ hash: string }> {
    return this.call(p, id, 'POST', '/git/commit', { body: req });
  }
  async push(p: Principal, id: string, req: In<typeof GitRemoteOp>, signal?: AbortSignal): Promise<void> {
    await this.call(p, id, 'POST', '/git/push', { body: req, signal });
  }
  async pull(p: Principal, id: string, req: In<typeof GitRemoteOp>, signal?: AbortSignal): Promise<void> {
    await this.call(p, id, 'POST', '/git/pull', { body: req, signal });
  }
  history(p: Principal, id: string, path: string): Promise<GitCommitInfo[]> {
    return this.call(p, id, 'GET', '/git/history', { query: { path } });
  }
  remotes(p: Principal, id: string, path: string): Promise<{ remotes: { name: string; url: string }[] }> {
    return this.call(p, id, 'GET', '/git/remotes', { query: { path } });
  }
  async addRemote(p: Principal, id: string, req: In<typeof GitAddRemote>): Promise<void> {
    await this.call(p, id, 'POST', '/git/remotes', { body: req });
  }
  async init(p: Principal, id: string, req: In<typeof GitInit>): Promise<void> {
    await this.call(p, id, 'POST', '/git/init', { body: req });
  }
  async reset(p: Principal, id: string, req: In<typeof GitReset>): Promise<void> {
    await this.call(p, id, 'POST', '/git/reset', { body: req });
  }
  async restore(p: Principal, id: string, req: In<typeof GitRestore>): Promise<void> {
    await this.call(p, id, 'POST', '/git/restore', { body: req });
  }
  getConfig(
    p: Principal,
    id: string,
    key: string,
    scope: GitScope = 'global',
    path?: string,
  ): Promise<{ value?: string }> {
    return this.call(p, id, 'GET', '/git/config', { query: { key, scope, path } });
  }
  async setConfig(p: Principal, id: string, req: In<typeof GitSetConfig>): Promise<void> {
    await this.call(p, id, 'POST', '/git/config', { body: req });
  }
  async configureUser(p: Principal, id: string, req: In<typeof GitConfigureUser>): Promise<void> {
    await this.call(p, id, 'POST', '/git/config/user', { body: req });
  }
  /** Refused: storing credentials would put them on disk in plain text. */
  async storeCredentials(p: Principal, id: string, body: unknown): Promise<void> {
    await this.call(p, id, 'POST', '/git/credentials', { body });
  }
}
