// The CLI's HTTP client. Settings: flag, then BERTH_API_URL / BERTH_API_KEY,
// then the config file written by `berth serve` / `berth login`.
import http from 'node:http';
import https from 'node:https';
import { AppError, appErrorFromJSON } from '../common/errors.js';
import { readCliConfig } from '../boot/cli-config.js';

export interface ClientSettings {
  apiUrl: string;
  apiKey?: string;
  organizationId?: string;
}

export function resolveSettings(flags: { 'api-url'?: string; 'api-key'?: string }, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const file = readCliConfig();
  return {
    // An empty variable counts as unset.
    apiUrl: (flags['api-url'] || env.BERTH_API_URL || file.apiUrl || 'http://localhost:3000/api').replace(/\/+$/, ''),
    apiKey: flags['api-key'] || env.BERTH_API_KEY || file.apiKey,
    organizationId: env.BERTH_ORGANIZATION_ID || file.organizationId,
  };
}

/**
 * One request with node:http(s). Not fetch: its first call loads undici, which
 * cost a short-lived command like `berth sandbox list` a few hundred ms here.
 */
function send(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class ApiClient {
  constructor(readonly s: ClientSettings) {}

  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | string[] | undefined>): Promise<T> {
    const url = new URL(this.s.apiUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
    }
    let res: { status: number; text: string };
    try {
      res = await send(url, method, {
        ...(this.s.apiKey ? { authorization: `Bearer ${this.s.apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.s.organizationId ? { 'x-daytona-organization-id': this.s.organizationId } : {}),
        'user-agent': 'berth-cli',
      }, body === undefined ? undefined : JSON.stringify(body));
    } catch (e) {
      throw new AppError('unavailable', `cannot reach the Berth server at ${this.s.apiUrl}: ${(e as Error).message}`, {
        hint: 'start it with `npx berth up` (or `berth serve`), or point the CLI elsewhere with --api-url / BERTH_API_URL',
      });
    }
    let json: unknown = undefined;
    try {
      json = res.text ? JSON.parse(res.text) : undefined;
    } catch {
      json = { message: res.text };
    }
    if (res.status >= 300) throw appErrorFromJSON(json, `server answered ${res.status}`);
    return json as T;
  }

  /** A streamed text response (build logs): each chunk goes to `onChunk` as it arrives. */
  async stream(path: string, query: Record<string, string>, onChunk: (text: string) => void): Promise<void> {
    const url = new URL(this.s.apiUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers: { ...(this.s.apiKey ? { authorization: `Bearer ${this.s.apiKey}` } : {}), ...(this.s.organizationId ? { 'x-daytona-organization-id': this.s.organizationId } : {}), 'user-agent': 'berth-cli' } }).catch((e: Error) => {
      throw new AppError('unavailable', `cannot reach the Berth server at ${this.s.apiUrl}: ${e.message}`, { hint: 'start it with `npx berth up`, or point the CLI elsewhere with --api-url' });
    });
    if (!res.ok) {
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = { message: text };
      }
      throw appErrorFromJSON(json, `server answered ${res.status}`);
    }
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) onChunk(decoder.decode(chunk, { stream: true }));
  }

  /** Toolbox base for a sandbox: the API URL's origin + /toolbox/{id}. */
  toolbox<T>(sandboxId: string, method: string, path: string, body?: unknown): Promise<T> {
    const origin = new URL(this.s.apiUrl).origin;
    return new ApiClient({ ...this.s, apiUrl: `${origin}/toolbox/${encodeURIComponent(sandboxId)}` }).request<T>(method, path, body);
  }
}
