// Objection models. They are bound to a knex instance per store (bindKnex), so
// no model carries a global connection.
import { Model } from 'objection';

/** JSON columns are text and booleans are 0/1 on SQLite: normalise both ways. */
abstract class BaseModel extends Model {
  static jsonColumns: string[] = [];
  static boolColumns: string[] = [];

  override $parseDatabaseJson(json: Record<string, unknown>) {
    const j = super.$parseDatabaseJson(json);
    const ctor = this.constructor as typeof BaseModel;
    for (const c of ctor.jsonColumns) if (typeof j[c] === 'string') j[c] = JSON.parse(j[c] as string);
    for (const c of ctor.boolColumns) if (j[c] !== undefined && j[c] !== null) j[c] = !!j[c];
    for (const [k, v] of Object.entries(j))
      if (typeof v === 'string' && k.endsWith('_at') && /^\d+$/.test(v)) j[k] = Number(v);
    return j;
  }

  override $formatDatabaseJson(json: Record<string, unknown>) {
    const j = super.$formatDatabaseJson(json);
    const ctor = this.constructor as typeof BaseModel;
    for (const c of ctor.jsonColumns)
      if (j[c] !== undefined && j[c] !== null && typeof j[c] !== 'string') j[c] = JSON.stringify(j[c]);
    return j;
  }
}

export class OrganizationRow extends BaseModel {
  static override tableName = 'organizations';
  static override boolColumns = ['personal'];
  id!: string;
  name!: string;
  personal!: boolean;
  created_at!: number;
  updated_at!: number;
}

export class UserRow extends BaseModel {
  static override tableName = 'users';
  static override boolColumns = ['system_admin'];
  id!: string;
  email!: string;
  name!: string;
  system_admin!: boolean;
  created_at!: number;
}

export class MembershipRow extends BaseModel {
  static override tableName = 'memberships';
  static override idColumn = ['organization_id', 'user_id'];
  organization_id!: string;
  user_id!: string;
  role!: string;
  created_at!: number;
}

export class ApiKeyRow extends BaseModel {
  static override tableName = 'api_keys';
  static override jsonColumns = ['permissions'];
  id!: string;
  organization_id!: string;
  user_id!: string;
  name!: string;
  prefix!: string;
  key_hash!: string;
  permissions!: string[];
  expires_at!: number | null;
  last_used_at!: number | null;
  revoked_at!: number | null;
  created_at!: number;
}
