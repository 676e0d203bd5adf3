// Validation of a create request, independent of the edge it came through.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { SANDBOX_NAME_RE } from '../../common/ids.js';
import { envMap } from '../../common/wire/daemon.js';

const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;
/** A domain name, or `*.` + a domain name for its subdomains. */
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Comma-separated domain names (Daytona's `domainAllowList`), normalised to lower case. */
export const domainAllowListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean),
  )
  .refine(
    (l) => l.every((d) => d.length <= 253 && DOMAIN.test(d)),
    'domainAllowList holds domain names like example.com or *.example.com, comma-separated',
  )
  .refine((l) => l.length <= 100, 'at most 100 domains');

export const labelsSchema = z
  .record(z.string().min(1).max(256), z.string().max(4096))
  .refine((l) => Object.keys(l).length <= 100, 'at most 100 labels');

/** A volume to mount at create: `volumeId` (id or name), an absolute `mountPath`, optionally one folder of it. */
export const VolumeMountInput = z
  .object({
    volumeId: z.string().min(1).max(255),
    mountPath: z.string().min(2).max(1024),
    subpath: z.string().max(1024).optional(),
  })
  .strict();
export type VolumeMountInput = z.infer<typeof VolumeMountInput>;

export const CreateSandboxInput = z
  .object({
    name: z
      .string()
      .regex(SANDBOX_NAME_RE, 'names are 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit')
      .optional(),
    image: z.string().min(1).max(512).optional(),
    snapshot: z.string().min(1).max(512).optional(),
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-zA-Z0-9_.:-]+$/, 'a user name or uid[:gid]')
      .optional(),
    env: envMap.optional(),
    labels: labelsSchema.optional(),
    cpu: z.number().positive('cpu must be positive').optional(),
    gpu: z.number().int().min(0).max(0, 'GPUs are not available on this server').optional(),
    memory: z.number().positive('memory must be positive (GiB)').optional(),
    disk: z.number().positive('disk must be positive (GiB)').optional(),
    public: z.boolean().optional(),
    /** Start on a preview (or SSH) request when stopped or archived; null or absent = the organization's default. */
    autoStartOnRequest: z.boolean().nullable().optional(),
    autoStopInterval: z.number().int().min(0).max(525_600).optional(),
    autoArchiveInterval: z.number().int().min(0).max(5_256_000).optional(),
    autoDeleteInterval: z.number().int().min(-1_000_000).max(5_256_000).optional(),
    autoPauseInterval: z.number().int().min(0).max(525_600).optional(),
    networkBlockAll: z.boolean().optional(),
    networkAllowList: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
      .refine((l) => l.every((c) => CIDR.test(c)), 'networkAllowList holds IPv4 CIDRs like 1.2.3.0/24, comma-separated')
      .refine((l) => l.length <= 100, 'at most 100 CIDRs')
      .optional(),
    target: z.string().max(64).optional(),
    runtime: z.enum(['runc', 'gvisor']).optional(),
    domainAllowList: domainAllowListSchema.optional(),
    /** Organization secrets as environment variables: `[{ENV_NAME: secretName}]`. */
    secrets: z.array(z.record(z.string(), z.string())).max(100).optional(),
    dockerfile: z.string().min(1).max(100_000).optional(),
    /** md5 hashes of build contexts uploaded to the object store (SDK Image.addLocalFile/addLocalDir). */
    contextHashes: z.array(z.string()).max(100).optional(),
    volumes: z.array(VolumeMountInput).max(16, 'at most 16 volumes').optional(),
  })
  .strict();
export type CreateSandboxInput = z.input<typeof CreateSandboxInput>;
export type ValidCreateInput = z.output<typeof CreateSandboxInput>;

export function parseCreateInput(raw: unknown): ValidCreateInput {
  const r = CreateSandboxInput.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new AppError('invalid_argument', `invalid sandbox: ${problems.join('; ')}`, {
    hint: 'fix the fields listed; see GET /api/openapi.json for the create schema',
    details: { problems },
  });
}

/** The SDK sends `image: "ref"` as a one-line Dockerfile; that is a plain image, not a build. */
export function imageFromDockerfile(dockerfile: string): string | null {
  const lines = dockerfile
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length !== 1) return null;
  const m = /^FROM\s+(\S+)$/i.exec(lines[0]!);
  return m ? m[1]! : null;
}
