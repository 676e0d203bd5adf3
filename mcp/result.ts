// The one mapping from outcomes to MCP tool results. A failing tool answers
// with `isError: true` and the AppError's code, message and hint (so the model
// can fix its next call) — never with a protocol error. Protocol errors are
// kept for what the client got wrong about the protocol: unknown tools and
// arguments that do not match the input schema.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { AppError, type ErrorCode } from '../common/errors.js';
import type { ToolAnswer } from './tool.js';

/** How each error code reads to a model, and the fix when the error itself carries none. */
export const TOOL_ERROR: Readonly<Record<ErrorCode, { label: string; fallbackHint?: string }>> = {
  invalid_argument: { label: 'invalid argument', fallbackHint: 'fix the argument named in the message and call again' },
  unauthorized: {
    label: 'unauthorized',
    fallbackHint: 'the API key is invalid or revoked; configure a valid key for this MCP server',
  },
  forbidden: { label: 'forbidden', fallbackHint: 'this API key lacks the permission; use a key with it' },
  not_found: { label: 'not found' },
  conflict: {
    label: 'conflict',
    fallbackHint: 'the target changed or already exists; read its current state and retry',
  },
  failed_precondition: { label: 'not possible now' },
  unprocessable: { label: 'refused' },
  bad_gateway: {
    label: 'upstream failed',
    fallbackHint: 'the remote the sandbox talked to failed; check it and retry',
  },
  quota_exceeded: {
    label: 'quota exceeded',
    fallbackHint: 'delete sandboxes you no longer need, or ask an admin to raise the quota',
  },
  rate_limited: { label: 'rate limited', fallbackHint: 'wait a little and retry' },
  payload_too_large: { label: 'too large', fallbackHint: 'ask for less (a line range, a smaller file) and retry' },
  headers_too_large: { label: 'too large' },
  unsupported_media_type: { label: 'unsupported content type' },
  timeout: { label: 'timed out', fallbackHint: 'retry, or give the call a longer timeout' },
  gone: { label: 'gone' },
  unavailable: {
    label: 'unavailable',
    fallbackHint: 'retry shortly; if it persists, check the sandbox with sandbox_get',
  },
  no_capacity: {
    label: 'no room',
    fallbackHint: 'ask for fewer resources, or stop sandboxes you do not use',
  },
  not_implemented: { label: 'not supported by this server' },
  internal: { label: 'internal error', fallbackHint: 'this is a bug in Berth; the server log has the details' },
};

/**
 * Hints written for REST or CLI users, reworded for a model that has tools
 * instead (matched on the stable reason, or the message).
 */
const MCP_HINTS: { match: (e: AppError) => boolean; hint: (e: AppError) => string }[] = [
  {
    match: (e) => e.code === 'not_found' && /^sandbox /.test(e.message),
    hint: () => 'call sandbox_list to see the sandboxes of this API key\u2019s organization',
  },
  {
    match: (e) => e.code === 'not_found' && /^snapshot /.test(e.message),
    hint: () => 'call snapshot_list to see the snapshots of this organization (tool group images)',
  },
  {
    match: (e) => e.code === 'not_found' && /^volume /.test(e.message),
    hint: () => 'call volume_list to see the volumes of this organization, or volume_create (tool group volumes)',
  },
  {
    match: (e) => e.code === 'not_found' && /^registry /.test(e.message),
    hint: () => 'call registry_list to see the registries of this organization (tool group images)',
  },
  {
    match: (e) => e.reason === 'SANDBOX_NOT_STARTED',
    hint: (e) => {
      const state = String(e.details?.state ?? '');
      return ['stopped', 'archived', 'paused', 'error'].includes(state)
        ? `the sandbox is ${state} \u2014 call sandbox_start, then retry`
        : `the sandbox is ${state || 'not started'} \u2014 wait a moment (sandbox_get shows its state) and retry`;
    },
  },
];

export function toolError(err: unknown): CallToolResult {
  const e = err instanceof AppError ? err : new AppError('internal', (err as Error)?.message ?? String(err));
  const hint = MCP_HINTS.find((h) => h.match(e))?.hint(e) ?? e.hint ?? TOOL_ERROR[e.code].fallbackHint;
  const text = `Error (${e.code}${e.reason ? `/${e.reason}` : ''}): ${e.message}${hint ? `\nHint: ${hint}` : ''}${e.recoverable ? '\nThis can succeed if retried.' : ''}`;
  return {
    isError: true,
    content: [{ type: 'text', text }],
    // Machine-readable copy for clients; structuredContent is reserved for the success shape.
    _meta: {
      'berth/error': {
        code: e.code,
        message: e.message,
        ...(hint ? { hint } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        recoverable: e.recoverable,
      },
    },
  };
}

export function toolSuccess(a: ToolAnswer<unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: a.text }, ...(a.content ?? [])],
    structuredContent: a.data as Record<string, unknown>,
  };
}

/**
 * Resource reads and completions have no `isError` result: their failures are
 * JSON-RPC errors. -32002 is the MCP code for "resource not found".
 */
const RPC_CODE: Partial<Record<ErrorCode, number>> = { not_found: -32002, invalid_argument: -32602 };

/** A JSON-RPC error for the SDK to send as is (an McpError would prefix its message with "MCP error n:"). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function protocolError(err: unknown): Error {
  if (err instanceof RpcError || (err instanceof Error && typeof (err as { code?: unknown }).code === 'number'))
    return err;
  const e = err instanceof AppError ? err : new AppError('internal', (err as Error)?.message ?? String(err));
  const hint = MCP_HINTS.find((h) => h.match(e))?.hint(e) ?? e.hint ?? TOOL_ERROR[e.code].fallbackHint;
  return new RpcError(RPC_CODE[e.code] ?? -32603, `${e.message}${hint ? ` (hint: ${hint})` : ''}`, {
    code: e.code,
    ...(hint ? { hint } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
  });
}
