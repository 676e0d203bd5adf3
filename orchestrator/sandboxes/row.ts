// A `sandboxes` row as the store holds it, and its codec: JSON columns are
// text and booleans are 0/1 on SQLite, and PostgreSQL answers bigints as
// strings. Every read goes through `decodeRow` and every write through
// `encodeRow`, so the rest of the code sees one shape on both stores.

export interface SandboxRow {
  id: string;
  organization_id: string;
  name: string;
  runner_id: string;
  image: string;
  snapshot: string | null;
  os_user: string | null;
  env: Record<string, string>;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  public: boolean;
  network_block_all: boolean;
  network_allow_list: string | null;
  domain_allow_list: string | null;
  /** Secret environment variables: [{env, secretId, name}]. */
  secrets: { env: string; secretId: string; name: string }[] | null;
  runtime: string;
  target: string;
  state: string;
  desired_state: string;
  error_reason: string | null;
  recoverable: boolean;
  auto_stop_interval: number;
  auto_archive_interval: number;
  auto_delete_interval: number;
  /** Start on a preview/SSH request when stopped or archived; null = the organization's default. */
  auto_start_on_request: boolean | null;
  auto_pause_interval: number;
  /** The image build a sandbox created from a Dockerfile waits for. */
  build_id: string | null;
  image_config: { command: string[]; workdir: string; user: string; env: string[] } | null;
  build_info: Record<string, unknown> | null;
  /** The mount spec the runner is given; which sandboxes mount a volume is the sandbox_volumes table. */
  volumes: { volumeId: string; mountPath: string; subpath?: string }[] | null;
  fence: number;
  created_at: number;
  updated_at: number;
  state_updated_at: number;
  last_activity_at: number;
}

const JSON_COLUMNS = ['env', 'image_config', 'build_info', 'volumes', 'secrets'] as const;
const BOOL_COLUMNS = ['public', 'network_block_all', 'recoverable', 'auto_start_on_request'] as const;
const NUMBER_COLUMNS = ['fence', 'created_at', 'updated_at', 'state_updated_at', 'last_activity_at'] as const;

export function decodeRow(raw: Record<string, unknown>): SandboxRow {
  const r: Record<string, unknown> = { ...raw };
  for (const c of JSON_COLUMNS) if (typeof r[c] === 'string') r[c] = JSON.parse(r[c] as string);
  for (const c of BOOL_COLUMNS) if (r[c] !== undefined && r[c] !== null) r[c] = !!r[c];
  for (const c of NUMBER_COLUMNS) if (typeof r[c] === 'string') r[c] = Number(r[c]);
  return r as unknown as SandboxRow;
}

export function encodeRow(fields: Partial<SandboxRow>): Record<string, unknown> {
  const r: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  for (const c of JSON_COLUMNS) if (r[c] !== undefined && r[c] !== null) r[c] = JSON.stringify(r[c]);
  return r;
}
