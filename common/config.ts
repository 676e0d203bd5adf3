// Configuration is resolved once per process: explicit option, then environment
// variable, then default; validated with zod; every bad setting is reported at
// once with what was expected.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { AppError } from './errors.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v)),
]);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`,
  );

/** A comma-separated list of addresses and CIDRs (IPv4 or IPv6), as an array. */
/** `sandbox` or exact origins (`https://app.example.com`, no path): comma-separated, or a list when given in code. */
const originList = z
  .preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : v,
    z.array(z.string()),
  )
  .refine((list) => list.every((o) => o === 'sandbox' || /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/i.test(o)), {
    message:
      'comma-separated origins like https://app.example.com (scheme, host, optional port; no path), or the word sandbox',
  })
  .transform((list) => list.map((o) => (o === 'sandbox' ? o : o.toLowerCase())));

const cidrList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .refine(
    (list) =>
      list.every((entry) => {
        const [addr, bits, extra] = entry.split('/');
        const family = isIP(addr ?? '');
        if (!family || extra !== undefined) return false;
        return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
      }),
    'a comma-separated list of addresses or CIDRs, like 10.0.0.0/8,192.168.1.5',
  );

/** One row per setting: its environment variable, schema (with default) and meaning. */
/** `k=v,k2=v2` as an object (runner labels such as region=eu). */
const labelList = z
  .string()
  .regex(/^\s*[a-z0-9][a-z0-9._/-]{0,62}=[^,=]{0,63}(\s*,\s*[a-z0-9][a-z0-9._/-]{0,62}=[^,=]{0,63})*\s*$/i, {
    message: 'comma-separated key=value pairs, like region=eu,disk=ssd',
  })
  .transform((v) =>
    Object.fromEntries(v.split(',').map((kv) => kv.split('=').map((x) => x.trim()) as [string, string])),
  )
  .optional();

const SETTINGS = {
  port: { env: 'PORT', schema: int(0, 65535).default(3000), doc: 'API, MCP, web UI and toolbox port' },
  host: {
    env: 'BERTH_HOST',
    schema: z.string().min(1).default('127.0.0.1'),
    doc: 'interface to listen on (0.0.0.0 for all)',
  },
  publicUrl: {
    env: 'BERTH_PUBLIC_URL',
    schema: url(['http:', 'https:']).optional(),
    doc: 'URL clients use to reach this server (default http://localhost:PORT)',
  },
  home: { env: 'BERTH_HOME', schema: z.string().min(1).default(join(homedir(), '.berth')), doc: 'data folder' },
  runtimeDir: {
    env: 'BERTH_RUNTIME_DIR',
    schema: z.string().min(1).optional(),
    doc: 'where the daemon folder every sandbox mounts is prepared (default BERTH_HOME/runtime); servers and runners that share one reuse a build of the same version, and its old builds are never pruned',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: url(['postgres:', 'postgresql:']).optional(),
    doc: 'PostgreSQL URL; SQLite in BERTH_HOME when unset',
  },
  redisUrl: {
    env: 'REDIS_URL',
    schema: url(['redis:', 'rediss:']).optional(),
    doc: 'Redis URL for bus, locks and rate limits; in-process when unset',
  },
  adminApiKey: {
    env: 'BERTH_ADMIN_API_KEY',
    schema: z.string().min(16, 'at least 16 characters').optional(),
    doc: 'API key of the first admin, for automation',
  },
  dockerSocket: {
    env: 'BERTH_DOCKER_SOCKET',
    schema: z.string().min(1).default('/var/run/docker.sock'),
    doc: 'Docker engine socket',
  },
  defaultImage: {
    env: 'BERTH_DEFAULT_IMAGE',
    schema: z.string().min(1).default('berth/sandbox-base:latest'),
    doc: 'image of sandboxes created without one',
  },
  defaultCpu: { env: 'BERTH_DEFAULT_CPU', schema: num(0.1, 256).default(2), doc: 'cpu limit of a new sandbox (cores)' },
  defaultMemoryGiB: {
    env: 'BERTH_DEFAULT_MEMORY_GIB',
    schema: num(0.125, 4096).default(4),
    doc: 'memory limit of a new sandbox (GiB)',
  },
  defaultDiskGiB: {
    env: 'BERTH_DEFAULT_DISK_GIB',
    schema: num(0.5, 65536).default(10),
    doc: 'disk limit of a new sandbox (GiB)',
  },
  maxCpu: {
    env: 'BERTH_MAX_CPU',
    schema: num(0, 256).default(0),
    doc: 'largest cpu per sandbox; 0 = the host core count',
  },
  maxMemoryGiB: {
    env: 'BERTH_MAX_MEMORY_GIB',
    schema: num(0, 4096).default(0),
    doc: 'largest memory per sandbox; 0 = host memory',
  },
  maxDiskGiB: { env: 'BERTH_MAX_DISK_GIB', schema: num(1, 65536).default(100), doc: 'largest disk per sandbox (GiB)' },
  pidsLimit: { env: 'BERTH_PIDS_LIMIT', schema: int(32, 1_000_000).default(512), doc: 'max processes per sandbox' },
  autoStopMinutes: {
    env: 'BERTH_AUTO_STOP_MINUTES',
    schema: int(0, 525_600).default(15),
    doc: 'default idle minutes before stop (0 = never)',
  },
  autoArchiveMinutes: {
    env: 'BERTH_AUTO_ARCHIVE_MINUTES',
    schema: int(0, 5_256_000).default(10_080),
    doc: 'default stopped minutes before archive (0 = the maximum, 30 days)',
  },
  autoDeleteMinutes: {
    env: 'BERTH_AUTO_DELETE_MINUTES',
    schema: int(-1, 5_256_000).default(-1),
    doc: 'default stopped minutes before delete (-1 = never, 0 = on stop)',
  },
  sweepSeconds: {
    env: 'BERTH_SWEEP_SECONDS',
    schema: num(0.05, 3600).default(15),
    doc: 'safety-net reconcile sweep period',
  },
  diskCheckSeconds: {
    env: 'BERTH_DISK_CHECK_SECONDS',
    schema: num(1, 3600).default(30),
    doc: 'period of the watched disk limit check',
  },
  requestWaitSeconds: {
    env: 'BERTH_REQUEST_WAIT_SECONDS',
    schema: num(0, 600).default(60),
    doc: 'how long lifecycle requests wait for their target state before answering',
  },
  warmPool: {
    env: 'BERTH_WARM_POOL',
    schema: int(0, 64).default(2),
    doc: 'started sandboxes of the default snapshot kept ready for creates to claim (0 = off; snapshots set their own with PUT /api/snapshots/{id}/warm-pool)',
  },
  warmPoolMaxLoad: {
    env: 'BERTH_WARM_POOL_MAX_LOAD',
    schema: num(0.01, 1000).default(3),
    doc: 'warm-pool refills pause while the 1-minute load average per core is above this',
  },
  warmPoolMinFreeMemoryPercent: {
    env: 'BERTH_WARM_POOL_MIN_FREE_MEMORY_PERCENT',
    schema: num(0, 100).default(10),
    doc: 'warm-pool refills pause while less than this share of host memory is available',
  },
  warmPoolCheckSeconds: {
    env: 'BERTH_WARM_POOL_CHECK_SECONDS',
    schema: num(0.1, 3600).default(5),
    doc: 'how often the warm pool is refilled and checked for rebuilt images',
  },
  netnsPool: {
    env: 'BERTH_NETNS_POOL',
    schema: int(0, 64).default(3),
    doc: 'network namespaces kept ready so new sandboxes start faster (0 = off)',
  },
  lockLeaseSeconds: {
    env: 'BERTH_LOCK_LEASE_SECONDS',
    schema: num(1, 600).default(15),
    doc: 'lease of a per-sandbox lock: how long a crashed replica blocks its sandboxes at most',
  },
  daemonReadySeconds: {
    env: 'BERTH_DAEMON_READY_SECONDS',
    schema: num(1, 600).default(60),
    doc: 'how long to wait for a started sandbox daemon',
  },
  execOutputLimitBytes: {
    env: 'BERTH_EXEC_OUTPUT_LIMIT_BYTES',
    schema: int(1024, 1 << 30).default(16 << 20),
    doc: 'output kept per exec (rest is dropped and flagged)',
  },
  jsonBodyLimitBytes: {
    env: 'BERTH_JSON_BODY_LIMIT_BYTES',
    schema: int(1024, 1 << 30).default(4 << 20),
    doc: 'largest JSON request body',
  },
  uploadLimitBytes: {
    env: 'BERTH_UPLOAD_LIMIT_BYTES',
    schema: int(1024, Number.MAX_SAFE_INTEGER).default(16 * 1024 ** 3),
    doc: 'largest upload request body',
  },
  networkName: {
    env: 'BERTH_NETWORK',
    schema: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/)
      .default('berth'),
    doc: 'Docker network of sandboxes',
  },
  networkSubnet: {
    env: 'BERTH_NETWORK_SUBNET',
    schema: z
      .string()
      .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'a CIDR like 10.88.0.0/16')
      .default('10.88.0.0/16'),
    doc: 'subnet of the sandbox network',
  },
  enforceEgress: {
    env: 'BERTH_ENFORCE_EGRESS',
    schema: bool.default(true),
    doc: 'install iptables egress rules (needs root)',
  },
  runnerId: {
    env: 'BERTH_RUNNER_ID',
    schema: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
    doc: 'id of the embedded runner (default: derived from BERTH_HOME, so two installs on one Docker never reap each other)',
  },
  mcpTools: {
    env: 'BERTH_MCP_TOOLS',
    schema: z
      .string()
      .regex(
        /^[a-z]+(,[a-z]+)*$/,
        'a comma-separated list of tool groups: core, git, lsp, terminal, images, volumes, telemetry, all',
      )
      .default('core'),
    doc: 'MCP tool groups served when a client does not pick them with /mcp?tools=…',
  },
  mcpSessionIdleMinutes: {
    env: 'BERTH_MCP_SESSION_IDLE_MINUTES',
    schema: num(0.05, 10_080).default(30),
    doc: 'minutes an MCP session may stay idle before it expires (404 afterwards)',
  },
  mcpAllowedHosts: {
    env: 'BERTH_MCP_ALLOWED_HOSTS',
    schema: z.string().default(''),
    doc: 'extra Host names (comma-separated) accepted at /mcp besides localhost and the BERTH_PUBLIC_URL host (DNS-rebinding protection)',
  },
  previewDomain: {
    env: 'BERTH_PREVIEW_DOMAIN',
    schema: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'a DNS name like preview.example.com')
      .default('localhost'),
    doc: 'domain of preview URLs: {port}-{sandboxId}.<domain> (*.localhost resolves locally)',
  },
  previewPort: {
    env: 'BERTH_PREVIEW_PORT',
    schema: int(1, 65535).optional(),
    doc: 'an extra port (on BERTH_HOST) that serves previews only; preview URLs then use it. Previews are always served on PORT too, routed by Host',
  },
  previewPublicPort: {
    env: 'BERTH_PREVIEW_PUBLIC_PORT',
    schema: int(1, 65535).optional(),
    doc: 'port in preview URLs when a reverse proxy serves them elsewhere (default BERTH_PREVIEW_PORT, else the port of BERTH_PUBLIC_URL)',
  },
  previewProtocol: {
    env: 'BERTH_PREVIEW_PROTOCOL',
    schema: z.enum(['http', 'https']).optional(),
    doc: 'scheme of preview URLs (default the scheme of BERTH_PUBLIC_URL)',
  },
  previewCorsOrigins: {
    env: 'BERTH_PREVIEW_CORS_ORIGINS',
    schema: originList.default([]),
    doc: "browser origins allowed to call previews with credentials (comma-separated, e.g. https://app.example.com); `sandbox` lets a sandbox's preview pages call its other ports. Empty (default): CORS is off, the proxy adds no CORS headers",
  },
  sshPort: {
    env: 'BERTH_SSH_PORT',
    schema: int(0, 65535).default(2222),
    doc: 'SSH gateway port (ssh, scp, sftp, -L forwarding into sandboxes); 0 = off',
  },
  sshHost: {
    env: 'BERTH_SSH_HOST',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/, 'a host name or address')
      .optional(),
    doc: 'host in the ssh commands Berth prints (default: the host of BERTH_PUBLIC_URL)',
  },
  sshLoginTimeoutSeconds: {
    env: 'BERTH_SSH_LOGIN_TIMEOUT_SECONDS',
    schema: num(1, 600).default(30),
    doc: 'an SSH client must log in within this time after connecting',
  },
  metricsToken: {
    env: 'BERTH_METRICS_TOKEN',
    schema: z.string().min(16, 'at least 16 characters').optional(),
    doc: "bearer token a Prometheus scraper sends to GET /metrics (a Berth administrator's API key works too; without either, /metrics answers 401)",
  },
  trustedProxies: {
    env: 'BERTH_TRUSTED_PROXIES',
    schema: cidrList.default([]),
    doc: "addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed (comma-separated); rate limits and audit then use the client behind them; everyone else's X-Forwarded-For is ignored",
  },
  rateLimitWindowSeconds: {
    env: 'BERTH_RATE_LIMIT_WINDOW_SECONDS',
    schema: int(1, 86_400).default(60),
    doc: 'length of the fixed rate-limit window',
  },
  rateLimitAnonymous: {
    env: 'BERTH_RATE_LIMIT_ANONYMOUS',
    schema: int(0, 1e9).default(100),
    doc: 'requests without credentials per IP per window (0 = no limit)',
  },
  rateLimitAuthenticated: {
    env: 'BERTH_RATE_LIMIT_AUTHENTICATED',
    schema: int(0, 1e9).default(1000),
    doc: 'requests per API key per window (0 = no limit)',
  },
  rateLimitFailedAuth: {
    env: 'BERTH_RATE_LIMIT_FAILED_AUTH',
    schema: int(0, 1e9).default(5),
    doc: 'failed authentications per IP per window before that IP is refused (0 = no limit)',
  },
  rateLimitCreate: {
    env: 'BERTH_RATE_LIMIT_CREATE',
    schema: int(0, 1e9).default(300),
    doc: 'sandbox creations per organization per window (0 = no limit); the sandbox quota is the real guard, this only caps bursts',
  },
  rateLimitLifecycle: {
    env: 'BERTH_RATE_LIMIT_LIFECYCLE',
    schema: int(0, 1e9).default(600),
    doc: 'sandbox start/stop/archive/delete requests per organization per window (0 = no limit)',
  },
  quotaSandboxes: {
    env: 'BERTH_QUOTA_SANDBOXES',
    schema: int(-1, 1e9).default(100),
    doc: 'default per-organization quota: sandboxes (-1 = unlimited)',
  },
  quotaCpu: {
    env: 'BERTH_QUOTA_CPU',
    schema: num(-1, 1e9).default(64),
    doc: 'default per-organization quota: cores of running sandboxes (-1 = unlimited)',
  },
  quotaMemoryGiB: {
    env: 'BERTH_QUOTA_MEMORY_GIB',
    schema: num(-1, 1e9).default(256),
    doc: 'default per-organization quota: GiB of memory of running sandboxes (-1 = unlimited)',
  },
  quotaDiskGiB: {
    env: 'BERTH_QUOTA_DISK_GIB',
    schema: num(-1, 1e9).default(2048),
    doc: 'default per-organization quota: GiB of disk of running sandboxes (-1 = unlimited)',
  },
  quotaSnapshots: {
    env: 'BERTH_QUOTA_SNAPSHOTS',
    schema: int(-1, 1e9).default(100),
    doc: 'default per-organization quota: snapshots (-1 = unlimited)',
  },
  quotaVolumes: {
    env: 'BERTH_QUOTA_VOLUMES',
    schema: int(-1, 1e9).default(100),
    doc: 'default per-organization quota: volumes (-1 = unlimited)',
  },
  quotaLifetimeMinutes: {
    env: 'BERTH_QUOTA_LIFETIME_MINUTES',
    schema: int(-1, 1e9).default(-1),
    doc: 'default per-organization quota: minutes a sandbox may exist before it is deleted (-1 = unlimited)',
  },
  maxOrganizationsPerUser: {
    env: 'BERTH_MAX_ORGANIZATIONS_PER_USER',
    schema: int(-1, 1e6).default(10),
    doc: 'organizations one user may own (each has its own quotas; -1 = unlimited)',
  },
  invitationTtlHours: {
    env: 'BERTH_INVITATION_TTL_HOURS',
    schema: num(0.01, 8760).default(168),
    doc: 'hours an invitation stays valid',
  },
  auditRetentionDays: {
    env: 'BERTH_AUDIT_RETENTION_DAYS',
    schema: num(0, 36_500).default(90),
    doc: 'days audit entries are kept (0 = forever)',
  },
  secretsKey: {
    env: 'BERTH_SECRETS_KEY',
    schema: z.string().min(32, '32 bytes as base64 or hex').optional(),
    doc: 'key encrypting organization secrets (default: BERTH_HOME/secrets.key, made on first start; replicas must share one)',
  },
  egressDnsUpstream: {
    env: 'BERTH_EGRESS_DNS_UPSTREAM',
    schema: z
      .string()
      .regex(/^\d+\.\d+\.\d+\.\d+(:\d+)?$/, 'an IPv4 address with an optional :port')
      .optional(),
    doc: 'DNS server the domain allow-list resolver asks (default: the first nameserver of /etc/resolv.conf)',
  },
  uiSessionIdleMinutes: {
    env: 'BERTH_UI_SESSION_IDLE_MINUTES',
    schema: num(1, 525_600).default(120),
    doc: 'a web UI session unused this many minutes ends (sign in again)',
  },
  uiSessionMaxHours: {
    env: 'BERTH_UI_SESSION_MAX_HOURS',
    schema: num(0.1, 8760).default(168),
    doc: 'a web UI session ends this many hours after sign-in, used or not',
  },
  buildConcurrency: {
    env: 'BERTH_BUILD_CONCURRENCY',
    schema: int(1, 64).default(1),
    doc: 'image builds one organization may run at once (more wait in a queue)',
  },
  buildTimeoutMinutes: {
    env: 'BERTH_BUILD_TIMEOUT_MINUTES',
    schema: num(0.1, 1440).default(30),
    doc: 'a build running longer is stopped and fails',
  },
  buildCpu: { env: 'BERTH_BUILD_CPU', schema: num(0.1, 256).default(2), doc: 'cpu cap of each build step (cores)' },
  buildMemoryGiB: {
    env: 'BERTH_BUILD_MEMORY_GIB',
    schema: num(0.125, 4096).default(4),
    doc: 'memory cap of each build step (GiB)',
  },
  buildContextLimitBytes: {
    env: 'BERTH_BUILD_CONTEXT_LIMIT_BYTES',
    schema: int(1024, Number.MAX_SAFE_INTEGER).default(1024 ** 3),
    doc: 'largest build context (the local files an Image adds)',
  },
  buildCacheDays: {
    env: 'BERTH_BUILD_CACHE_DAYS',
    schema: num(0, 3650).default(7),
    doc: 'days an unused dynamic image (create with an Image) is kept for reuse before it is pruned',
  },
  metricsIntervalSeconds: {
    env: 'BERTH_METRICS_INTERVAL_SECONDS',
    schema: num(0, 3600).default(15),
    doc: "how often the runner samples each started sandbox's cpu, memory, disk and network (0 = off)",
  },
  metricsRetentionHours: {
    env: 'BERTH_METRICS_RETENTION_HOURS',
    schema: num(0.01, 8760).default(24),
    doc: 'how long metric samples are kept',
  },
  s3Bucket: {
    env: 'BERTH_S3_BUCKET',
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')
      .default('berth-objects'),
    doc: 'bucket of the object store (build contexts); clients reach it path-style at /<bucket> on the main port',
  },
  s3Url: {
    env: 'BERTH_S3_URL',
    schema: url(['http:', 'https:']).optional(),
    doc: 'an external S3-compatible store holding the bucket (default: the embedded store under BERTH_HOME); clients still go through Berth, which checks and re-signs each request',
  },
  archiveStore: {
    env: 'BERTH_ARCHIVE_STORE',
    schema: z.enum(['local', 's3']).default('local'),
    doc: 'where archives live: local (BERTH_HOME/archives) or s3 (the store of BERTH_S3_URL, under archives/<runner>/)',
  },
  s3Region: {
    env: 'BERTH_S3_REGION',
    schema: z.string().min(1).default('us-east-1'),
    doc: 'region of the external store',
  },
  s3AccessKey: {
    env: 'BERTH_S3_ACCESS_KEY',
    schema: z.string().min(1).optional(),
    doc: 'access key of the external store',
  },
  s3SecretKey: {
    env: 'BERTH_S3_SECRET_KEY',
    schema: z.string().min(1).optional(),
    doc: 'secret key of the external store',
  },
  httpHeadersTimeoutSeconds: {
    env: 'BERTH_HTTP_HEADERS_TIMEOUT_SECONDS',
    schema: num(0.5, 3600).default(20),
    doc: 'a client must send its request headers within this time',
  },
  httpRequestTimeoutSeconds: {
    env: 'BERTH_HTTP_REQUEST_TIMEOUT_SECONDS',
    schema: num(1, 86_400).default(600),
    doc: 'a client must send a whole request (headers and body) within this time',
  },
  logLevel: {
    env: 'BERTH_LOG_LEVEL',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    doc: 'log level',
  },
  logJson: { env: 'BERTH_LOG_JSON', schema: bool.default(false), doc: 'log as JSON lines' },
  replicaUrl: {
    env: 'BERTH_REPLICA_URL',
    schema: url(['http:', 'https:']).optional(),
    doc: "this replica's own URL as runner hosts reach it; runners link to every replica (default BERTH_PUBLIC_URL)",
  },
  runnerTimeoutSeconds: {
    env: 'BERTH_RUNNER_TIMEOUT',
    schema: num(1, 3600).default(30),
    doc: 'a remote runner not heard from for this long (seconds) is listed as unreachable',
  },
  runnerLabels: {
    env: 'BERTH_RUNNER_LABELS',
    schema: labelList,
    doc: 'labels of the embedded runner, e.g. region=eu (a create whose target is another region goes elsewhere)',
  },
  cpuOvercommit: {
    env: 'BERTH_CPU_OVERCOMMIT',
    schema: num(0.1, 1000).default(128),
    doc: "placement: cpu limits of running sandboxes may add up to this many times a runner's cores",
  },
  memoryOvercommit: {
    env: 'BERTH_MEMORY_OVERCOMMIT',
    schema: num(0.1, 1000).default(32),
    doc: "placement: memory limits of running sandboxes may add up to this many times a runner's memory",
  },
  diskOvercommit: {
    env: 'BERTH_DISK_OVERCOMMIT',
    schema: num(0.1, 1000).default(8),
    doc: "placement: disk limits of a runner's sandboxes may add up to this many times its disk",
  },
  localRunner: {
    env: 'BERTH_LOCAL_RUNNER',
    schema: bool.default(true),
    doc: "run sandboxes on this host's Docker engine too; false: an API-only replica that places every sandbox on remote runners and needs no engine (docs/scale-out.md)",
  },
  registryUrl: {
    env: 'BERTH_REGISTRY_URL',
    schema: z
      .string()
      .regex(/^[a-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9._-]+)*$/i, 'a registry as host[:port][/path], e.g. 127.0.0.1:5000')
      .optional(),
    doc: 'cluster registry (host:port, no scheme or login) that images reach remote runners through; unset: streamed over the runner link (docs/scale-out.md)',
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingKey = keyof Settings;

/** The environment variable of a setting, for messages that tell which setting to change. */
export const settingEnv = (key: SettingKey): string => SETTINGS[key].env;

/** Settings whose values are never echoed in error messages. */
const HIDDEN = new Set<string>(['adminApiKey', 'secretsKey', 's3SecretKey', 'metricsToken', 'token']);
type Resolved = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export interface Config extends Omit<Resolved, 'publicUrl' | 'runnerId'> {
  publicUrl: string;
  runnerId: string;
  /** SQLite file used when databaseUrl is unset. */
  sqlitePath: string;
}

export type ConfigInput = { -readonly [K in keyof Settings]?: unknown };

/** Lists every setting with its variable and meaning (for `berth serve --help` and docs). */
export const describeSettings = () =>
  Object.entries(SETTINGS).map(([key, s]) => {
    const d = (s.schema as z.ZodTypeAny).safeParse(undefined);
    return { key, env: s.env, doc: s.doc, default: d.success && d.data !== undefined ? String(d.data) : '' };
  });

/**
 * The id a runner labels its containers with, derived from its BERTH_HOME:
 * `local-…` for `berth serve`'s own runner, `runner-…` for `berth runner`.
 */
export const runnerIdFor = (kind: 'local' | 'runner', home: string): string =>
  `${kind}-${createHash('sha256').update(resolve(home)).digest('hex').slice(0, 8)}`;

export function loadConfig(explicit: ConfigInput = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const r = parseSettings(SETTINGS, explicit, env) as Resolved;
  const home = resolve(r.home);
  return {
    ...r,
    warmPool: warmPoolOf(r, explicit.warmPool !== undefined || !!env.BERTH_WARM_POOL),
    home,
    publicUrl: (r.publicUrl ?? `http://localhost:${r.port}`).replace(/\/+$/, ''),
    sqlitePath: join(home, 'berth.sqlite'),
    runnerId: r.runnerId ?? runnerIdFor('local', home),
  };
}

/**
 * Warm sandboxes are the embedded runner's: an API-only replica keeps none. Its default size
 * quietly becomes 0; a size asked for explicitly is a contradiction, refused at start.
 */
function warmPoolOf(r: Resolved, explicit: boolean): number {
  if (r.localRunner) return r.warmPool;
  if (explicit && r.warmPool > 0)
    throw new AppError(
      'invalid_argument',
      `invalid configuration:\n  - BERTH_WARM_POOL=${r.warmPool} with BERTH_LOCAL_RUNNER=false: warm sandboxes run on the embedded runner, which an API-only replica does not have`,
      {
        hint: 'unset BERTH_WARM_POOL (or set it to 0) on API-only replicas; replicas with a local runner keep the pool',
      },
    );
  return 0;
}

type SettingRow = { env: string; schema: z.ZodTypeAny; doc: string };

/** Resolves one table of settings (option, then environment, then default), reporting every bad one at once. */
function parseSettings(
  table: Readonly<Record<string, SettingRow>>,
  explicit: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(table)) {
    const fromOption = explicit[key];
    const fromEnv = env[s.env];
    const raw = fromOption !== undefined ? fromOption : fromEnv === '' ? undefined : fromEnv;
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(
        `${s.env}=${HIDDEN.has(key) ? '(hidden)' : JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')} (${s.doc})`,
      );
  }
  if (problems.length) {
    throw new AppError('invalid_argument', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      hint: 'fix the settings listed above (environment variables or flags) and start again',
    });
  }
  return out;
}

/** The settings of `berth runner`, the process that runs sandboxes for a remote API (docs/scale-out.md). */
const RUNNER_SETTINGS = {
  apiUrl: {
    env: 'BERTH_API_URL',
    schema: z.string({ message: 'required' }).pipe(url(['http:', 'https:'])),
    doc: 'URL of the Berth API this runner dials, e.g. https://berth.example.com (or …/api)',
  },
  token: {
    env: 'BERTH_RUNNER_TOKEN',
    schema: z.string({ message: 'required' }).min(16, 'at least 16 characters'),
    doc: 'the token `berth runner token create` printed for this runner',
  },
  labels: { env: 'BERTH_RUNNER_LABELS', schema: labelList, doc: 'labels this runner reports, e.g. region=eu' },
  home: SETTINGS.home,
  runtimeDir: SETTINGS.runtimeDir,
  dockerSocket: SETTINGS.dockerSocket,
  networkName: SETTINGS.networkName,
  networkSubnet: SETTINGS.networkSubnet,
  enforceEgress: SETTINGS.enforceEgress,
  pidsLimit: SETTINGS.pidsLimit,
  netnsPool: SETTINGS.netnsPool,
  daemonReadySeconds: SETTINGS.daemonReadySeconds,
  execOutputLimitBytes: SETTINGS.execOutputLimitBytes,
  egressDnsUpstream: SETTINGS.egressDnsUpstream,
  archiveStore: SETTINGS.archiveStore,
  s3Url: SETTINGS.s3Url,
  s3Region: SETTINGS.s3Region,
  s3Bucket: SETTINGS.s3Bucket,
  s3AccessKey: SETTINGS.s3AccessKey,
  s3SecretKey: SETTINGS.s3SecretKey,
  logLevel: SETTINGS.logLevel,
  logJson: SETTINGS.logJson,
} as const;

type RunnerSettings = typeof RUNNER_SETTINGS;
export type RunnerConfig = { [K in keyof RunnerSettings]: z.output<RunnerSettings[K]['schema']> } & {
  /** Id the runner's containers are labelled with (derived from BERTH_HOME, as `berth serve` does). */
  runnerId: string;
};

/** `berth runner`'s configuration, validated once: BERTH_API_URL and BERTH_RUNNER_TOKEN are required. */
export function loadRunnerConfig(env: NodeJS.ProcessEnv = process.env): RunnerConfig {
  // DOCKER_HOST, as the docker CLI reads it, names the engine unless BERTH_DOCKER_SOCKET does.
  const dockerHost = env.DOCKER_HOST || undefined;
  if (dockerHost && !env.BERTH_DOCKER_SOCKET && !dockerHost.startsWith('unix://'))
    throw new AppError('invalid_argument', `DOCKER_HOST=${dockerHost}: only unix:// sockets are supported`, {
      hint: 'run the runner on the Docker host and point DOCKER_HOST (or BERTH_DOCKER_SOCKET) at its socket',
    });
  const explicit = dockerHost && !env.BERTH_DOCKER_SOCKET ? { dockerSocket: dockerHost.slice('unix://'.length) } : {};
  const r = parseSettings(RUNNER_SETTINGS, explicit, env) as Omit<RunnerConfig, 'runnerId'>;
  const home = resolve(r.home);
  return {
    ...r,
    home,
    apiUrl: r.apiUrl.replace(/\/+$/, '').replace(/\/api$/, ''),
    runnerId: runnerIdFor('runner', home),
  };
}
