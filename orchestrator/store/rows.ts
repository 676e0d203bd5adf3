// Rows of the identity tables (users, organizations, memberships, API keys)
// as the store holds them, and their decoders: booleans are 0/1 on SQLite,
// JSON is text, and PostgreSQL answers bigints as strings. Queries are knex,
// like every other table's; whatever reads one of these rows decodes it here.

export interface UserRow {
  id: string;
  email: string;
  name: string;
  system_admin: boolean;
  created_at: number;
}

export interface OrganizationRow {
  id: string;
  name: string;
  personal: boolean;
  created_at: number;
  updated_at: number;
}

export interface MembershipRow {
  organization_id: string;
  user_id: string;
  role: string;
  created_at: number;
}

export interface ApiKeyRow {
  id: string;
  organization_id: string;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  permissions: string[];
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

type Raw = Record<string, unknown> | undefined;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const decodeUser = (r: Raw): UserRow | undefined =>
  r && { ...(r as unknown as UserRow), system_admin: !!r.system_admin, created_at: num(r.created_at) };

export const decodeOrganization = (r: Raw): OrganizationRow | undefined =>
  r && {
    ...(r as unknown as OrganizationRow),
    personal: !!r.personal,
    created_at: num(r.created_at),
    updated_at: num(r.updated_at),
  };

export const decodeMembership = (r: Raw): MembershipRow | undefined =>
  r && { ...(r as unknown as MembershipRow), created_at: num(r.created_at) };

export const decodeApiKey = (r: Raw): ApiKeyRow | undefined =>
  r && {
    ...(r as unknown as ApiKeyRow),
    permissions: Array.isArray(r.permissions)
      ? (r.permissions as string[])
      : typeof r.permissions === 'string'
        ? (JSON.parse(r.permissions) as string[])
        : [],
    expires_at: numOrNull(r.expires_at),
    last_used_at: numOrNull(r.last_used_at),
    revoked_at: numOrNull(r.revoked_at),
    created_at: num(r.created_at),
  };
