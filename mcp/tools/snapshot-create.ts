import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import type { Snapshot } from '../../orchestrator/index.js';
import { defineTool, type ToolContext } from '../tool.js';
import { SnapshotOut, snapshotLine, snapshotOut } from './image-shapes.js';

/** Progress notifications are sent at most this often while the build log streams. */
const PROGRESS_EVERY_MS = 100;
/** How often a pull is checked on (pulls report no log). */
const PULL_POLL_MS = 500;
/** Lines of the build log a failure quotes. */
const TAIL_LINES = 20;

const lastLine = (s: string) => s.trimEnd().split('\n').pop()?.slice(-500) ?? '';

/**
 * Follows the build log as progress (bytes so far, the latest line) until the
 * build ends; returns the log. Resolves early when the call is cancelled.
 */
async function followBuild(ctx: ToolContext, snapshotId: string): Promise<string> {
  const { buildId } = await ctx.orch.buildLogs.ofSnapshot(ctx.principal, snapshotId);
  let log = '';
  let bytes = 0;
  let lastSent = 0;
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const message = lastLine(pending);
    pending = '';
    lastSent = Date.now();
    void ctx.progress({ progress: bytes, message });
  };
  await ctx.orch.buildLogs.stream(buildId, true, ctx.signal, (chunk) => {
    bytes += Buffer.byteLength(chunk);
    log = (log + chunk).slice(-64 * 1024);
    pending += chunk;
    if (Date.now() - lastSent >= PROGRESS_EVERY_MS) flush();
  });
  flush();
  return log;
}

/** Waits until the snapshot is usable or failed; a cancelled call stops the build and removes the snapshot. */
async function settle(ctx: ToolContext, s: Snapshot): Promise<Snapshot> {
  let log = '';
  if (s.state === 'pending' || s.state === 'building') {
    void ctx.progress({ progress: 0, message: `building snapshot ${s.name}` });
    log = await followBuild(ctx, s.id);
  } else if (s.state === 'pulling') void ctx.progress({ progress: 0, message: `pulling ${s.imageName}` });
  let cur = await ctx.orch.snapshots.get(ctx.principal, s.id);
  while (cur.state === 'pulling' && !ctx.signal.aborted) {
    await sleep(PULL_POLL_MS, undefined, { signal: ctx.signal }).catch(() => {});
    cur = await ctx.orch.snapshots.get(ctx.principal, s.id);
  }
  if (ctx.signal.aborted) {
    // Deleting the snapshot is what stops its build (and frees the name).
    await ctx.orch.snapshots
      .remove(ctx.principal, s.id)
      .catch((e: Error) => ctx.log('warning', `could not remove the cancelled snapshot ${s.name}: ${e.message}`));
    throw new AppError('failed_precondition', `snapshot ${s.name} was cancelled`, { reason: 'BUILD_CANCELLED' });
  }
  if (cur.state === 'build_failed' || cur.state === 'error') {
    const tail = log.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
    const built = cur.state === 'build_failed';
    const quoted = tail ? `\nlast lines of the build log:\n${tail}` : '';
    throw new AppError('unprocessable', `snapshot ${cur.name} failed: ${cur.errorReason ?? cur.state}${quoted}`, {
      reason: built ? 'BUILD_FAILED' : 'SNAPSHOT_FAILED',
      hint:
        `fix the ${built ? 'Dockerfile' : 'image name or registry (registry_add)'}, ` +
        'delete the failed snapshot with snapshot_delete, and call snapshot_create again',
    });
  }
  return cur;
}

export default defineTool({
  name: 'snapshot_create',
  group: 'images',
  title: 'Create a snapshot',
  description:
    'Makes a snapshot new sandboxes can start from (sandbox_create with snapshot=<name>): from an image (on the ' +
    'server, or pulled from a registry; registry_add for private ones), or built from a Dockerfile. Waits until ' +
    'it is ready: build output streams as progress notifications when the client sends a progress token, and ' +
    'cancelling the call stops the build and removes the snapshot. The Dockerfile cannot COPY local files (upload ' +
    'build contexts with `berth snapshot create --context` or the SDK).',
  input: z.object({
    name: z.string().min(1).max(255).describe('snapshot name (letters, digits, . _ : / @ -)'),
    image: z.string().min(1).max(512).optional().describe('an image reference, e.g. python:3.12-slim'),
    dockerfile: z
      .string()
      .min(1)
      .max(1 << 20)
      .optional()
      .describe('Dockerfile content to build, starting with FROM'),
    cpu: z.number().positive().optional().describe('cpu of sandboxes created from it'),
    memory: z.number().positive().optional().describe('memory (GiB) of sandboxes created from it'),
    disk: z.number().positive().optional().describe('disk (GiB) of sandboxes created from it'),
    wait: z
      .boolean()
      .default(true)
      .describe('wait until it is active (false: return at once; snapshot_list shows its state)'),
  }),
  output: z.object({ snapshot: SnapshotOut }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run(ctx, a) {
    if (!a.image === !a.dockerfile) {
      throw new AppError('invalid_argument', 'give exactly one of image and dockerfile', {
        hint:
          'e.g. {"name": "py", "image": "python:3.12-slim"} or ' +
          '{"name": "tools", "dockerfile": "FROM berth/sandbox-base:latest\\nRUN pip install requests"}',
      });
    }
    const created = await ctx.orch.snapshots.create(ctx.principal, {
      name: a.name,
      ...(a.image ? { imageName: a.image } : { buildInfo: { dockerfileContent: a.dockerfile } }),
      ...(a.cpu !== undefined ? { cpu: a.cpu } : {}),
      ...(a.memory !== undefined ? { memory: a.memory } : {}),
      ...(a.disk !== undefined ? { disk: a.disk } : {}),
    });
    const out = snapshotOut(a.wait ? await settle(ctx, created) : created);
    const next =
      out.state === 'active' ? `\nStart a sandbox from it with sandbox_create {"snapshot": "${out.name}"}.` : '';
    return { data: { snapshot: out }, text: `Snapshot ${snapshotLine(out)}${next}` };
  },
});
