// How callers ask for a list of sandboxes: filters, sort and cursor page, and
// how the repository turns them into a query.
import type { Knex } from 'knex';
import { AppError } from '../../common/errors.js';
import type { SandboxState } from './states.js';

export const SORT_COLUMNS = {
  name: 'name',
  cpu: 'cpu',
  memoryGib: 'memory',
  diskGib: 'disk',
  lastActivityAt: 'last_activity_at',
  createdAt: 'created_at',
} as const;
export type SortKey = keyof typeof SORT_COLUMNS;

export interface ListFilter {
  labels?: Record<string, string>;
  states?: SandboxState[];
  ids?: string[];
  name?: string;
  images?: string[];
  minCpu?: number;
  maxCpu?: number;
  minMemory?: number;
  maxMemory?: number;
  minDisk?: number;
  maxDisk?: number;
  isPublic?: boolean;
  isRecoverable?: boolean;
  createdAfter?: Date;
  createdBefore?: Date;
  activityAfter?: Date;
  activityBefore?: Date;
  includeDestroyed?: boolean;
}

export interface ListPage {
  cursor?: string;
  limit: number;
  sort: SortKey;
  order: 'asc' | 'desc';
}

export const encodeCursor = (v: unknown, id: string) => Buffer.from(JSON.stringify([v, id])).toString('base64url');
export function decodeCursor(c: string): [unknown, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string') return v as [unknown, string];
  } catch {
    /* fall through */
  }
  throw new AppError('invalid_argument', 'cursor is not valid', {
    hint: 'pass the nextCursor value of a previous page unchanged',
  });
}

/** Narrows a query over `sandboxes` to what the filter asks for. */
export function applyFilter(base: Knex.QueryBuilder, f: ListFilter): void {
  if (!f.includeDestroyed) base.whereNot('state', 'destroyed');
  if (f.states?.length) base.whereIn('state', f.states);
  if (f.ids?.length) base.whereIn('id', f.ids);
  if (f.name) base.where('name', 'like', `%${f.name.replace(/[%_\\]/g, (c) => '\\' + c)}%`);
  if (f.images?.length) base.where((q) => q.whereIn('image', f.images!).orWhereIn('snapshot', f.images!));
  if (f.minCpu !== undefined) base.where('cpu', '>=', f.minCpu);
  if (f.maxCpu !== undefined) base.where('cpu', '<=', f.maxCpu);
  if (f.minMemory !== undefined) base.where('memory', '>=', f.minMemory);
  if (f.maxMemory !== undefined) base.where('memory', '<=', f.maxMemory);
  if (f.minDisk !== undefined) base.where('disk', '>=', f.minDisk);
  if (f.maxDisk !== undefined) base.where('disk', '<=', f.maxDisk);
  if (f.isPublic !== undefined) base.where('public', f.isPublic);
  if (f.isRecoverable !== undefined) base.where('recoverable', f.isRecoverable);
  if (f.createdAfter) base.where('created_at', '>=', f.createdAfter.getTime());
  if (f.createdBefore) base.where('created_at', '<=', f.createdBefore.getTime());
  if (f.activityAfter) base.where('last_activity_at', '>=', f.activityAfter.getTime());
  if (f.activityBefore) base.where('last_activity_at', '<=', f.activityBefore.getTime());
  for (const [k, v] of Object.entries(f.labels ?? {})) {
    base.whereExists((q) =>
      q
        .from('sandbox_labels')
        .whereRaw('sandbox_labels.sandbox_id = sandboxes.id')
        .andWhere('sandbox_labels.key', k)
        .andWhere('sandbox_labels.value', v),
    );
  }
}
