// Helpers for the security suites: acting as a given key, and adding people
// to organizations the way real users join (an invitation and its token).
import assert from 'node:assert/strict';
import type { Stack } from '../helpers/stack.js';
import type { Json } from '../helpers/json.js';

export type Caller = <T = Json>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: T; headers: Headers }>;

/** Calls the API with `key` (null: no credentials). */
export const as =
  (stack: Stack, key: string | null): Caller =>
  (method, path, body, headers) =>
    stack.api(method, path, body, { key, headers });

/** Invites `email` into `organizationId` with `inviterKey` and accepts with the token; returns the newcomer's key. */
export async function join(
  stack: Stack,
  inviterKey: string,
  organizationId: string,
  email: string,
  role: 'owner' | 'admin' | 'member' = 'member',
): Promise<{ key: string; userId: string }> {
  const inv = await as(stack, inviterKey)('POST', `/organizations/${organizationId}/invitations`, { email, role });
  assert.equal(inv.status, 201, JSON.stringify(inv.body));
  const acc = await as(stack, null)('POST', '/invitations/accept', { token: inv.body.token });
  assert.equal(acc.status, 200, JSON.stringify(acc.body));
  return { key: acc.body.apiKey, userId: acc.body.userId };
}

/** A new organization owned by the admin. */
export async function newOrganization(stack: Stack, name: string, key = stack.key): Promise<string> {
  const r = await as(stack, key)('POST', '/organizations', { name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

/** Asserts a denial: status, stable code and a hint. */
export function denied(r: { status: number; body: Json }, status: number, code: string, what = ''): void {
  assert.equal(r.status, status, `${what} ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.code, code, `${what} ${JSON.stringify(r.body)}`);
  assert.ok(
    typeof r.body?.hint === 'string' && r.body.hint.length > 5,
    `${what}: no hint in ${JSON.stringify(r.body)}`,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
