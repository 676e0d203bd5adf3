// Build logs as plain text, streamed while the build runs (compat spec §6.3):
// the SDK appends `?follow=true` and reads chunks until the stream ends.
import { PassThrough } from 'node:stream';
import type { Ctx, HttpDeps } from '../context.js';

export function streamBuildLog(ctx: Ctx, d: HttpDeps, buildId: string, follow: boolean): void {
  const out = new PassThrough();
  const ac = new AbortController();
  ctx.type = 'text/plain; charset=utf-8';
  ctx.set('cache-control', 'no-store');
  ctx.set('x-accel-buffering', 'no');
  ctx.body = out;
  ctx.res.once('close', () => ac.abort());
  void d.orch.buildLogs
    .stream(buildId, follow, ac.signal, (chunk) => out.write(chunk))
    .catch((e: Error) => out.write(`\n[log unavailable: ${e.message}]\n`))
    .finally(() => out.end());
}
