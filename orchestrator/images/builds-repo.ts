// Store access for image builds (builds); rows are decoded to Build here.
import type { Knex } from 'knex';
import type { ImageConfig } from '../../common/wire/runner.js';
import type { Store } from '../store/db.js';
import type { Build, BuildKind, BuildState } from './builds.js';

export interface BuildRow {
  id: string;
  organization_id: string;
  hash: string;
  kind: string;
  dockerfile: string;
  context_hashes: string | null;
  image_ref: string;
  state: string;
  error_reason: string | null;
  size: number | string | null;
  image_config: string | null;
  created_at: number | string;
  updated_at: number | string;
  last_used_at: number | string | null;
}

/** What a state change may set besides the state. */
export type BuildOutcome = Partial<Pick<BuildRow, 'error_reason' | 'size' | 'image_config'>>;

export const toBuild = (r: BuildRow): Build => ({
  id: r.id,
  organizationId: r.organization_id,
  hash: r.hash,
  kind: r.kind as BuildKind,
  dockerfile: r.dockerfile,
  contextHashes: r.context_hashes ? (JSON.parse(r.context_hashes) as string[]) : [],
  imageRef: r.image_ref,
  state: r.state as BuildState,
  errorReason: r.error_reason,
  size: r.size === null ? null : Number(r.size),
  imageConfig: r.image_config ? (JSON.parse(r.image_config) as ImageConfig) : null,
  createdAt: new Date(Number(r.created_at)),
  updatedAt: new Date(Number(r.updated_at)),
});

/** Most earlier images one build takes its layer cache from. */
const CACHE_FROM_LIMIT = 50;

export class BuildRepo {
  constructor(private readonly store: Store) {}

  private get t(): Knex.QueryBuilder<BuildRow> {
    return this.store.knex<BuildRow>('builds');
  }

  async get(id: string): Promise<Build | null> {
    const r = await this.t.where({ id }).first();
    return r ? toBuild(r) : null;
  }

  /** The newest queued, running or finished build of the same content, for reuse. */
  async latestOf(organizationId: string, hash: string, kind: BuildKind): Promise<Build | null> {
    const r = await this.t
      .where({ organization_id: organizationId, hash, kind })
      .whereIn('state', ['pending', 'building', 'done'])
      .orderBy('created_at', 'desc')
      .first();
    return r ? toBuild(r) : null;
  }

  async markUsed(id: string, now: number): Promise<void> {
    await this.t.where({ id }).update({ last_used_at: now });
  }

  async insert(row: BuildRow): Promise<void> {
    await this.t.insert(row);
  }

  async setState(id: string, state: BuildState, now: number, fields: BuildOutcome = {}): Promise<void> {
    await this.t.where({ id }).update({ state, updated_at: now, ...fields });
  }

  /** Image refs of the organization's finished builds, newest first. */
  async doneImageRefs(organizationId: string): Promise<string[]> {
    const rows = (await this.t
      .where({ organization_id: organizationId, state: 'done' })
      .orderBy('updated_at', 'desc')
      .limit(CACHE_FROM_LIMIT)
      .select('image_ref')) as Pick<BuildRow, 'image_ref'>[];
    return rows.map((r) => r.image_ref);
  }

  /** Fails every build left `building` (its process is gone). */
  async failRunning(reason: string, now: number): Promise<void> {
    await this.t.where({ state: 'building' }).update({ state: 'failed', error_reason: reason, updated_at: now });
  }

  async pendingIds(): Promise<string[]> {
    const rows = (await this.t.where({ state: 'pending' }).select('id')) as Pick<BuildRow, 'id'>[];
    return rows.map((r) => r.id);
  }

  /** Finished dynamic builds last used before `cutoff`. */
  async unusedDynamic(cutoff: number): Promise<Build[]> {
    const rows = await this.t
      .where({ kind: 'dynamic' })
      .whereIn('state', ['done', 'failed'])
      .andWhere('last_used_at', '<', cutoff);
    return rows.map(toBuild);
  }

  async remove(id: string): Promise<void> {
    await this.t.where({ id }).delete();
  }
}
