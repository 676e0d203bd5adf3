// Remote runners (Berth administrators; docs/scale-out.md): a token per
// runner, their state and capacity, drain/enable/remove. The runners' own
// link (GET /api/runners/link, an HTTP upgrade) is served by http/runner-link.ts.
import { z } from 'zod';
import { AppError } from '../../common/errors.js';
import { RUNNER_LINK_PATH, RUNNER_LINK_PROTOCOL } from '../../common/wire/runner-link.js';
import { principal } from '../context.js';
import { route, type RouteTable } from '../route.js';

const tags = ['runners'];
const auth = 'key';
const Create = z.object({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }).strict();

export function registerRunners(t: RouteTable): void {
  const svc = () => t.d.orch.runners;

  route(
    t,
    {
      method: 'post',
      path: '/runners',
      summary: 'Register a runner; the answer holds its token, shown once (administrators)',
      tags,
      auth,
      body: Create,
      example: { name: 'docker-eu-1', labels: { region: 'eu' } },
      responses: { 201: 'Created' },
    },
    async (ctx, { body }) => {
      ctx.body = await svc().create(principal(ctx), body);
      ctx.status = 201;
    },
  );
  route(t, { method: 'get', path: '/runners', summary: 'List runners (administrators)', tags, auth }, async (ctx) => {
    ctx.body = await svc().list(principal(ctx));
  });
  route(
    t,
    {
      method: 'get',
      path: '/runners/link',
      summary: "A runner's link (`berth runner` dials it)",
      tags,
      auth: { own: 'runner token' },
      description:
        `An HTTP upgrade (\`Upgrade: ${RUNNER_LINK_PROTOCOL}\`, \`Authorization: Bearer <runner token>\`); ` +
        'after 101 the socket carries HTTP/2 with the runner as the server. A plain GET is refused.',
      responses: { 101: 'Switching protocols', 401: 'Unknown or revoked runner token' },
    },
    async () => {
      throw new AppError('invalid_argument', `${RUNNER_LINK_PATH} takes an HTTP upgrade from \`berth runner\``, {
        hint: 'start `berth runner` with BERTH_API_URL and BERTH_RUNNER_TOKEN on the Docker host',
      });
    },
  );
  route(t, { method: 'get', path: '/runners/:id', summary: 'One runner (administrators)', tags, auth }, async (ctx) => {
    ctx.body = await svc().get(principal(ctx), ctx.params.id!);
  });
  route(
    t,
    {
      method: 'post',
      path: '/runners/:id/drain',
      summary: 'Drain a runner: no new sandboxes go to it (administrators)',
      description:
        'With `?migrate=true` its sandboxes are also moved to other runners, one after the other in the ' +
        'background: each is archived, its archive copied, and it is started again there if it was running ' +
        '(files are kept, memory is not). `migration` in the answer (and in GET /api/runners/{id}) tells how it goes.',
      tags,
      auth,
    },
    async (ctx) => {
      const migrate = ctx.query.migrate;
      if (migrate !== undefined && migrate !== 'true' && migrate !== 'false')
        throw new AppError('invalid_argument', `migrate must be true or false (got ${JSON.stringify(migrate)})`, {
          hint: 'POST /api/runners/{id}/drain?migrate=true',
        });
      ctx.body = await svc().drain(principal(ctx), ctx.params.id!, { migrate: migrate === 'true' });
    },
  );
  route(
    t,
    { method: 'post', path: '/runners/:id/enable', summary: 'Enable a runner again (administrators)', tags, auth },
    async (ctx) => {
      ctx.body = await svc().enable(principal(ctx), ctx.params.id!);
    },
  );
  route(
    t,
    {
      method: 'delete',
      path: '/runners/:id',
      summary: 'Remove a runner and revoke its token; refused while it holds sandboxes (administrators)',
      description:
        'With `?force=true` a runner that is unreachable (lost for good) is removed with its sandboxes: each ' +
        'is restored on the embedded runner from its last archive in the archive store (archived; a start ' +
        'restores it), or, without one, left in `error` saying its files are lost. The answer (200) lists ' +
        'both in `rescue: {restored, lost}`.',
      tags,
      auth,
      responses: {
        200: 'Removed with ?force=true',
        204: 'Removed',
        409: 'The runner holds sandboxes, or (with force) is not unreachable',
      },
    },
    async (ctx) => {
      const force = ctx.query.force;
      if (force !== undefined && force !== 'true' && force !== 'false')
        throw new AppError('invalid_argument', `force must be true or false (got ${JSON.stringify(force)})`, {
          hint: 'DELETE /api/runners/{id}?force=true',
        });
      const removed = await svc().remove(principal(ctx), ctx.params.id!, { force: force === 'true' });
      if (force === 'true') ctx.body = removed;
      else ctx.status = 204;
    },
  );
}
