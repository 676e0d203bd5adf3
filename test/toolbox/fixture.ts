// One real server and one small sandbox per toolbox suite, with a helper for
// toolbox calls over real HTTP.
import { createSandbox, exec, startStack, type Stack } from '../helpers/stack.js';
import type { Json } from '../helpers/json.js';

export interface Toolbox {
  stack: Stack;
  id: string;
  /** A toolbox call: JSON in and out. */
  tb<T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  sh(command: string): Promise<{ exitCode: number; result: string; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function toolboxFixture(create: Record<string, unknown> = {}): Promise<Toolbox> {
  const stack = await startStack();
  let id = '';
  try {
    id = (await createSandbox(stack, { cpu: 1, memory: 1, disk: 2, autoStopInterval: 0, ...create })).id;
  } catch (e) {
    await stack.close();
    throw e;
  }
  return {
    stack,
    id,
    tb: (method, path, body) => stack.api(method, `/toolbox/${id}${path}`, body),
    sh: (command) => exec(stack, id, command),
    async close() {
      await stack.api('DELETE', `/sandbox/${id}`).catch(() => {});
      await stack.close();
    },
  };
}

/** The error shape SDKs turn into typed errors. */
export function assertDaemonError(r: { status: number; body: Json }, status: number, code: string): void {
  if (
    r.status !== status ||
    r.body?.code !== code ||
    r.body?.source !== 'DAYTONA_DAEMON' ||
    typeof r.body?.message !== 'string'
  ) {
    throw new Error(`expected ${status} ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
  }
}

export const q = (params: Record<string, string>) => '?' + new URLSearchParams(params).toString();
