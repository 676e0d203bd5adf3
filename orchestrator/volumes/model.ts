// A volume is storage that outlives sandboxes: created on its own, mounted
// into any number of sandboxes of its organization, never archived with them.

export const VOLUME_STATES = [
  'creating',
  'ready',
  'pending_create',
  'pending_delete',
  'deleting',
  'deleted',
  'error',
] as const;
export type VolumeState = (typeof VOLUME_STATES)[number];

export interface Volume {
  id: string;
  organizationId: string;
  name: string;
  state: VolumeState;
  errorReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
}

export interface VolumeRow {
  id: string;
  organization_id: string;
  name: string;
  state: string;
  error_reason: string | null;
  created_at: number | string;
  updated_at: number | string;
  last_used_at: number | string | null;
}

export function toVolume(r: VolumeRow): Volume {
  return {
    id: r.id,
    organizationId: r.organization_id,
    name: r.name,
    state: r.state as VolumeState,
    errorReason: r.error_reason,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
    lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)),
  };
}
