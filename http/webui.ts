// Serves the web UI (built into dist/webui by scripts/build-webui.mjs) on the
// main host: pages answer index.html under a strict Content-Security-Policy,
// hashed assets are cached for a year and sent precompressed. Preview hosts
// (`*.{BERTH_PREVIEW_DOMAIN}`) are left alone for the preview proxy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { HttpDeps, State } from './context.js';
import { isPreviewHost } from './session.js';

/** First path segments the UI's router owns (reloading any of its pages must find the page). */
export const UI_PAGES = [
  '',
  'sign-in',
  'sandboxes',
  'snapshots',
  'registries',
  'volumes',
  'keys',
  'members',
  'usage',
  'audit',
  'settings',
  'connect',
];

interface Asset {
  type: string;
  raw: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

export interface WebUiAssets {
  /** index.html with `__NONCE__` where each answer's style nonce goes; undefined when the UI was not built. */
  index?: string;
  files: Map<string, Asset>;
}

/** What scripts/build-webui.mjs writes into assets/. */
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Reads the built UI once at start (a few hundred KB, kept in memory). */
export function loadWebUi(dir: string): WebUiAssets {
  const files = new Map<string, Asset>();
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return { files };
  const assets = join(dir, 'assets');
  for (const name of existsSync(assets) ? readdirSync(assets) : []) {
    const ext = /\.[a-z0-9]+$/.exec(name)?.[0] ?? '';
    if (ext === '.gz' || ext === '.br' || !TYPES[ext]) continue;
    const at = (suffix: string) =>
      existsSync(join(assets, name + suffix)) ? readFileSync(join(assets, name + suffix)) : undefined;
    files.set(name, { type: TYPES[ext]!, raw: readFileSync(join(assets, name)), gzip: at('.gz'), br: at('.br') });
  }
  return { index: readFileSync(index, 'utf8'), files };
}

/**
 * The page's policy: scripts only from this server (no inline script, no
 * eval), no framing. Styles from this server, plus `<style>` elements carrying
 * this answer's nonce: xterm's renderer writes its measured cell sizes into a
 * style element, and the page stamps the nonce on style elements it creates.
 */
export const contentSecurityPolicy = (nonce: string): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

export function serveWebUi(d: HttpDeps, ui: WebUiAssets): Koa.Middleware<State> {
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || isPreviewHost(ctx.get('host'), d.config)) return next();
    const path = ctx.path;
    if (path.startsWith('/assets/')) {
      const a = ui.files.get(path.slice('/assets/'.length));
      if (!a) return next();
      const enc = ctx.acceptsEncodings('br', 'gzip', 'identity');
      const body = enc === 'br' && a.br ? a.br : enc === 'gzip' && a.gzip ? a.gzip : a.raw;
      if (body !== a.raw) ctx.set('content-encoding', body === a.br ? 'br' : 'gzip');
      ctx.set('vary', 'Accept-Encoding');
      // Names carry a hash of their content: a new build gets new names.
      ctx.set('cache-control', 'public, max-age=31536000, immutable');
      ctx.set('x-content-type-options', 'nosniff');
      ctx.type = a.type;
      ctx.body = body;
      return;
    }
    if (!UI_PAGES.includes(path.split('/')[1] ?? '')) return next();
    if (!ui.index) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The web UI is not built: run `npm run build` (npm install runs it).\n';
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    ctx.set('content-security-policy', contentSecurityPolicy(nonce));
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('x-frame-options', 'DENY');
    ctx.set('referrer-policy', 'no-referrer');
    ctx.set('cache-control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = ui.index.replaceAll('__NONCE__', nonce);
  };
}
