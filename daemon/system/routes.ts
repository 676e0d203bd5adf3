// Environment, metrics and ports (compat spec §4.2, §4.10).
import { AppError } from '../../common/errors.js';
import { EnvUpdateRequest } from '../../common/wire/toolbox.js';
import type { DaemonContext } from '../context.js';
import { readJson, sendJson, type Router } from '../router.js';
import { systemMetrics } from './metrics.js';
import { listeningPorts } from './ports.js';

/** Applies an env update to the environment new processes start from; returns what changed. */
export function applyEnvUpdate(env: Record<string, string>, u: EnvUpdateRequest): { set: string[]; unset: string[] } {
  const unset: string[] = [];
  for (const k of u.unset ?? []) {
    if (k in env) {
      delete env[k];
      unset.push(k);
    }
  }
  if (u.unsetValuePrefix) {
    for (const [k, v] of Object.entries(env)) {
      if (v.startsWith(u.unsetValuePrefix)) {
        delete env[k];
        unset.push(k);
      }
    }
  }
  const set = Object.keys(u.set ?? {});
  Object.assign(env, u.set);
  return { set, unset };
}

export function registerSystem(router: Router, ctx: DaemonContext): void {
  router.on('POST', '/env', async ({ req, res }) => {
    const body = await readJson(req, EnvUpdateRequest);
    sendJson(res, 200, applyEnvUpdate(ctx.env, body));
  });

  router.on('GET', '/system/metrics', async ({ res }) => sendJson(res, 200, await systemMetrics()));

  router.on('GET', '/port', ({ res }) => sendJson(res, 200, { ports: listeningPorts() }));

  router.on('GET', '/port/:port/in-use', ({ params, res }) => {
    const raw = params.port ?? '';
    const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
    if (!(port >= 1 && port <= 65535))
      throw new AppError('invalid_argument', `port must be a number from 1 to 65535, not ${JSON.stringify(raw)}`, {
        reason: 'BAD_REQUEST',
      });
    sendJson(res, 200, { isInUse: listeningPorts().includes(port) });
  });
}
