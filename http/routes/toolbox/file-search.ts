// Toolbox file search and bulk-edit routes (compat spec §4.3): find,
// search, replace, permissions.
import { ReplaceRequest } from '../../../common/wire/toolbox.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../../context.js';
import { fileInfoDto } from '../../dto.js';
import { body, queryString } from '../../parse.js';

export function registerFileSearch(router: ApiRouter, d: HttpDeps): void {
  const fs = d.orch.toolbox.fileSearch;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;

  router.get('/files/find', async (ctx) => {
    ctx.body = await fs.find(principal(ctx), id(ctx), queryString(ctx, 'path') || '.', queryString(ctx, 'pattern', true));
  });

  router.get('/files/search', async (ctx) => {
    ctx.body = await fs.search(principal(ctx), id(ctx), queryString(ctx, 'path') || '.', queryString(ctx, 'pattern', true));
  });

  router.post('/files/replace', async (ctx) => {
    ctx.body = await fs.replace(principal(ctx), id(ctx), body(ctx, ReplaceRequest));
  });

  router.post('/files/permissions', async (ctx) => {
    const info = await fs.setPermissions(principal(ctx), id(ctx), queryString(ctx, 'path', true), {
      owner: queryString(ctx, 'owner') || undefined,
      group: queryString(ctx, 'group') || undefined,
      mode: queryString(ctx, 'mode') || undefined,
    });
    ctx.body = fileInfoDto(info);
  });
}
