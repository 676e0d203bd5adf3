// The CLI's HTTP client. Settings: flag, then BERTH_API_URL / BERTH_API_KEY,
// then the config file written by `berth serve` / `berth login`.
import http from 'node:http';
import https from 'node:https';
import { errorFromText } from '../common/error-body.js';
import { AppError } from '../common/errors.js';
import { readCliConfig } from '../boot/cli-config.js';

export interface ClientSettings {
  apiUrl: string;
  apiKey?: string;
  organizationId?: string;
}

export function resolveSettings(
  flags: { 'api-url'?: string; 'api-key'?: string },
  env: NodeJS.ProcessEnv = process.env,
): ClientSettings {
  const file = readCliConfig();
  return {
    // An empty variable counts as unset.
    apiUrl: (flags['api-url'] || env.BERTH_API_URL || file.apiUrl || 'http://localhost:3000/api').replace(/\/+$/, ''),
    apiKey: flags['api-key'] || env.BERTH_API_KEY || file.apiKey,
    organizationId: env.BERTH_ORGANIZATION_ID || file.organizationId,
  };
}

type Query = Record<string, string | string[] | undefined>;

/**
 * One request with node:http(s), answered with the response as it streams
 * in. Not fetch: its first call loads undici, which cost a short-lived
 * command like `berth sandbox list` a few hundred ms here.
 */
function send(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  const all = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers: all }, resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function text(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export class ApiClient {
  constructor(readonly s: ClientSettings) {}

  /** The key and organization every request carries (also for WebSockets). */
  headers(): Record<string, string> {
    return {
      ...(this.s.apiKey ? { authorization: `Bearer ${this.s.apiKey}` } : {}),
      ...(this.s.organizationId ? { 'x-daytona-organization-id': this.s.organizationId } : {}),
      'user-agent': 'berth-cli',
    };
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const res = await this.open(method, path, body, query);
    const answer = await text(res);
    if ((res.statusCode ?? 0) >= 300) throw errorFromText(answer, res.statusCode ?? 0, 'server');
    let json: unknown = undefined;
    try {
      json = answer ? JSON.parse(answer) : undefined;
    } catch {
      json = { message: answer };
    }
    return json as T;
  }

  /** A streamed response body (e.g. a followed log), after an error check on the status. */
  async stream(path: string, query?: Query): Promise<http.IncomingMessage> {
    const res = await this.open('GET', path, undefined, query);
    if ((res.statusCode ?? 0) >= 300) throw errorFromText(await text(res), res.statusCode ?? 0, 'server');
    return res;
  }

  /** Toolbox base for a sandbox: the API URL's origin + /toolbox/{id}. */
  toolbox<T>(sandboxId: string, method: string, path: string, body?: unknown): Promise<T> {
    return this.forToolbox(sandboxId).request<T>(method, path, body);
  }

  /** A client whose paths are relative to the sandbox's toolbox (`apiUrl` is its base URL). */
  forToolbox(sandboxId: string): ApiClient {
    const origin = new URL(this.s.apiUrl).origin;
    return new ApiClient({ ...this.s, apiUrl: `${origin}/toolbox/${encodeURIComponent(sandboxId)}` });
  }

  private async open(method: string, path: string, body: unknown, query?: Query): Promise<http.IncomingMessage> {
    const url = new URL(this.s.apiUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
    }
    const headers = { ...this.headers(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    try {
      return await send(url, method, headers, body === undefined ? undefined : JSON.stringify(body));
    } catch (e) {
      throw new AppError('unavailable', `cannot reach the Berth server at ${this.s.apiUrl}: ${(e as Error).message}`, {
        hint: 'start it with `npx berth up` (or `berth serve`), or point the CLI elsewhere with --api-url / BERTH_API_URL',
      });
    }
  }
}
