// Private Docker registries of an organization (Daytona's /docker-registry):
// the password is encrypted at rest and never returned; pulls and builds use
// the credentials of the registry whose host an image names.
import { z } from 'zod';
import { AppError, notFound } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Clock } from '../../common/clock.js';
import type { RegistryCredentials } from '../../common/wire/runner.js';
import { requirePermission } from '../keys/require.js';
import type { Principal } from '../principal.js';
import type { SecretBox } from '../secrets/crypto.js';
import type { Store } from '../store/db.js';
import { RegistryRepo, type RegistryRow as Row } from './registries-repo.js';

export interface DockerRegistry {
  id: string;
  organizationId: string;
  name: string;
  url: string;
  username: string;
  project: string;
  registryType: 'organization';
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A registry address: host[:port], optionally with a scheme (dropped) and no path. */
const URL_RE = /^(https?:\/\/)?[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:\d{1,5})?\/?$/;
export const Create = z
  .object({
    name: z.string().min(1).max(255),
    url: z.string().max(512).regex(URL_RE, 'a registry host like registry.example.com:5000'),
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(4096),
    project: z.string().max(255).optional(),
    registryType: z.enum(['organization', 'internal', 'transient', 'backup']).optional(),
    isDefault: z.boolean().optional(),
  })
  .strict();
export const Update = Create.partial().strict();

/** The registry host an image reference names (Docker's rules: a first part with `.` or `:`, or localhost). */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

const hostOf = (url: string) =>
  url
    .replace(/^https?:\/\//, '')
    .replace(/\/$/, '')
    .toLowerCase();

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new AppError('invalid_argument', `invalid registry: ${problems.join('; ')}`, {
    hint: 'send {name, url, username, password}',
    details: { problems },
  });
}

export class RegistryService {
  private readonly registries: RegistryRepo;

  constructor(private readonly d: { store: Store; clock: Clock; box: SecretBox }) {
    this.registries = new RegistryRepo(d.store);
  }

  async list(p: Principal): Promise<DockerRegistry[]> {
    return this.registries.list(p.organizationId);
  }

  async get(p: Principal, id: string): Promise<DockerRegistry> {
    const r = await this.registries.find(p.organizationId, id);
    if (!r) throw notFound(`registry ${id}`, 'list registries with GET /api/docker-registry or `berth registry list`');
    return r;
  }

  async create(p: Principal, raw: unknown): Promise<DockerRegistry> {
    requirePermission(p, 'write:registries');
    const b = parse(Create, raw);
    const now = this.d.clock.now().getTime();
    const id = newId();
    const row: Row = {
      id,
      organization_id: p.organizationId,
      name: b.name,
      url: hostOf(b.url),
      username: b.username,
      password: this.d.box.seal(b.password, `registry:${id}`),
      project: b.project ?? null,
      registry_type: 'organization',
      is_default: b.isDefault ?? false,
      created_at: now,
      updated_at: now,
    };
    try {
      return await this.registries.insert(row);
    } catch (e) {
      if (/unique|duplicate/i.test((e as Error).message))
        throw new AppError('conflict', `a registry named ${b.name} already exists`, {
          hint: 'pick another name or update it with PATCH /api/docker-registry/{id}',
        });
      throw e;
    }
  }

  async update(p: Principal, id: string, raw: unknown): Promise<DockerRegistry> {
    requirePermission(p, 'write:registries');
    const b = parse(Update, raw);
    const cur = await this.get(p, id);
    const fields: Partial<Row> = { updated_at: this.d.clock.now().getTime() };
    if (b.name !== undefined) fields.name = b.name;
    if (b.url !== undefined) fields.url = hostOf(b.url);
    if (b.username !== undefined) fields.username = b.username;
    if (b.password !== undefined) fields.password = this.d.box.seal(b.password, `registry:${cur.id}`);
    if (b.project !== undefined) fields.project = b.project;
    if (b.isDefault !== undefined) fields.is_default = b.isDefault;
    await this.registries.patch(cur.id, fields);
    return this.get(p, cur.id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    requirePermission(p, 'delete:registries');
    const cur = await this.get(p, id);
    await this.registries.remove(cur.id);
  }

  /** Credentials for the registry `ref` names, if the organization has one (for pulls). */
  async credentialsFor(organizationId: string, ref: string): Promise<RegistryCredentials | null> {
    const host = registryHost(ref).toLowerCase();
    const r = await this.registries.forHost(organizationId, host);
    return r
      ? { serveraddress: host, username: r.username, password: this.d.box.open(r.password, `registry:${r.id}`) }
      : null;
  }

  /** Credentials of every registry of the organization (for builds, whose FROM lines may name any). */
  async all(organizationId: string): Promise<RegistryCredentials[]> {
    const rows = await this.registries.allOf(organizationId);
    return rows.map((r) => ({
      serveraddress: r.url,
      username: r.username,
      password: this.d.box.open(r.password, `registry:${r.id}`),
    }));
  }
}
