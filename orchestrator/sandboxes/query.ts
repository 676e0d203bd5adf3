// How callers ask for a list of sandboxes: filters, sort and cursor page.
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
