// Organization secrets (Daytona's /secret API): stored encrypted, returned
// after creation only as metadata, and injected as environment variables into
// the sandboxes that ask for them (`secrets: [{ENV_NAME: secretName}]`).
import { z } from 'zod';
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import { envName } from '../../common/wire/daemon.js';
import type { Store } from '../store/db.js';
import { SecretRepo, type SecretRow } from './repo.js';
import type { Principal } from '../principal.js';
import { requirePermission } from '../keys/require.js';
import type { SecretBox } from './crypto.js';

export interface Secret {
  id: string;
  organizationId: string;
  name: string;
  description: string | null;
  hosts: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** A sandbox's secret environment variable: ENV name → secret. */
export interface SecretRef {
  env: string;
  secretId: string;
  name: string;
}

const NAME = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/, 'secret names are 1-255 letters, digits, "_", "." or "-"');
const VALUE = z.string().max(64 * 1024, 'secret values are at most 64 KiB');
const HOSTS = z.array(z.string().min(1).max(255)).max(50);
export const CreateSecret = z
  .object({ name: NAME, value: VALUE, description: z.string().max(1000).optional(), hosts: HOSTS.optional() })
  .strict();
export const UpdateSecret = z
  .object({ value: VALUE.optional(), description: z.string().max(1000).optional(), hosts: HOSTS.optional() })
  .strict();
/** Daytona's sandbox field: `[{ENV_NAME: secretName}, …]`. */
export const SecretMapping = z
  .array(
    z
      .record(envName, z.string().min(1).max(255))
      .refine((m) => Object.keys(m).length === 1, 'each item maps one ENV_NAME to one secret name'),
  )
  .max(100);

const toSecret = (r: Omit<SecretRow, 'hosts'> & { hosts: string[] | null }): Secret => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  description: r.description,
  hosts: r.hosts ?? [],
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

function parse<S extends z.ZodTypeAny>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new AppError('invalid_argument', `invalid ${what}: ${problems.join('; ')}`, {
    hint: 'fix the listed fields',
    details: { problems },
  });
}

export class SecretService {
  private readonly secrets: SecretRepo;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {
    this.secrets = new SecretRepo(store);
  }

  private aad = (organizationId: string, id: string) => `${organizationId}:${id}`;

  async create(p: Principal, raw: unknown): Promise<Secret> {
    requirePermission(p, 'write:secrets');
    const b = parse(CreateSecret, raw, 'secret');
    if (await this.secrets.byName(p.organizationId, b.name))
      throw new AppError('conflict', `a secret named ${b.name} already exists`, {
        hint: 'update it with PATCH /api/secret/{id}, or pick another name',
      });
    const id = newId();
    const now = this.clock.now().getTime();
    const row = {
      id,
      organization_id: p.organizationId,
      name: b.name,
      description: b.description ?? null,
      value_enc: this.box.seal(b.value, this.aad(p.organizationId, id)),
      hosts: b.hosts ?? null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.secrets.insert(row);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message))
        throw new AppError('conflict', `a secret named ${b.name} already exists`);
      throw e;
    }
    return toSecret(row);
  }

  private async row(p: Principal, idOrName: string): Promise<SecretRow> {
    const r = await this.secrets.byIdOrName(p.organizationId, idOrName);
    if (!r) throw notFound(`secret ${idOrName}`, 'list secrets with GET /api/secret/paginated');
    return r;
  }

  async get(p: Principal, idOrName: string): Promise<Secret> {
    return toSecret(await this.row(p, idOrName));
  }

  async list(
    p: Principal,
    q: { cursor?: string; limit?: number; name?: string; order?: 'asc' | 'desc' } = {},
  ): Promise<{ items: Secret[]; total: number; nextCursor: string | null }> {
    const limit = q.limit ?? 100;
    const { rows, total } = await this.secrets.page(p.organizationId, {
      nameLike: q.name || undefined,
      after: q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined,
      order: q.order ?? 'asc',
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return {
      items: items.map(toSecret),
      total,
      nextCursor: rows.length > limit ? Buffer.from(items[items.length - 1]!.name).toString('base64url') : null,
    };
  }

  async update(p: Principal, idOrName: string, raw: unknown): Promise<Secret> {
    requirePermission(p, 'write:secrets');
    const b = parse(UpdateSecret, raw, 'secret update');
    const r = await this.row(p, idOrName);
    const fields: Parameters<SecretRepo['patch']>[1] = { updated_at: this.clock.now().getTime() };
    if (b.value !== undefined) fields.value_enc = this.box.seal(b.value, this.aad(r.organization_id, r.id));
    if (b.description !== undefined) fields.description = b.description;
    if (b.hosts !== undefined) fields.hosts = b.hosts;
    await this.secrets.patch(r.id, fields);
    return this.get(p, r.id);
  }

  async remove(p: Principal, idOrName: string): Promise<Secret> {
    requirePermission(p, 'delete:secrets');
    const r = await this.row(p, idOrName);
    await this.secrets.remove(r.id);
    return toSecret(r);
  }

  /** Resolves `[{ENV: secretName}]` in the principal's organization (unknown names are not_found). */
  async refs(p: Principal, raw: unknown): Promise<SecretRef[]> {
    const mapping = parse(SecretMapping, raw, 'secrets');
    const out: SecretRef[] = [];
    for (const m of mapping) {
      const [env, name] = Object.entries(m)[0]!;
      if (out.some((o) => o.env === env))
        throw new AppError('invalid_argument', `environment variable ${env} is given twice`);
      const r = await this.row(p, name);
      out.push({ env, secretId: r.id, name: r.name });
    }
    return out;
  }

  /** Decrypted values for a sandbox's refs (secrets deleted since are skipped). Internal: injection only. */
  async values(organizationId: string, refs: SecretRef[]): Promise<Record<string, string>> {
    if (!refs.length) return {};
    const rows = await this.secrets.byIds(
      organizationId,
      refs.map((r) => r.secretId),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const env: Record<string, string> = {};
    for (const ref of refs) {
      const r = byId.get(ref.secretId);
      if (r) env[ref.env] = this.box.open(r.value_enc, this.aad(r.organization_id, r.id));
    }
    return env;
  }
}
