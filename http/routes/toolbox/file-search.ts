// Toolbox file search and bulk-edit routes (compat spec §4.3): find,
// search, replace, permissions.
import { ReplaceRequest } from '../../../common/wire/toolbox.js';
import { principal, type Ctx } from '../../context.js';
import { fileInfoDto } from '../../dto.js';
import { qs, queryObject } from '../../query-fields.js';
import { route, type RouteTable } from '../../route.js';

const tags = ['toolbox: files'];
const auth = 'key';

export function registerFileSearch(t: RouteTable): void {
  const fs = t.d.orch.toolbox.fileSearch;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;
  const where = queryObject({
    path: qs.string('folder to search (default: the working folder)'),
    pattern: qs.required(),
  });

  const find = { summary: 'Lines matching a pattern in files below a folder', tags, auth, query: where } as const;
  route(t, { ...find, method: 'get', path: '/files/find' }, async (ctx, { query }) => {
    ctx.body = await fs.find(principal(ctx), id(ctx), query.path || '.', query.pattern);
  });

  const search = { summary: 'Files whose names match a glob below a folder', tags, auth, query: where } as const;
  route(t, { ...search, method: 'get', path: '/files/search' }, async (ctx, { query }) => {
    ctx.body = await fs.search(principal(ctx), id(ctx), query.path || '.', query.pattern);
  });

  const replace = { summary: 'Replace text in files', tags, auth, body: ReplaceRequest } as const;
  route(t, { ...replace, method: 'post', path: '/files/replace' }, async (ctx, { body }) => {
    ctx.body = await fs.replace(principal(ctx), id(ctx), body);
  });

  const perms = queryObject({
    path: qs.required(),
    owner: qs.string(),
    group: qs.string(),
    mode: qs.string('octal, e.g. 755'),
  });
  const permissions = { summary: "Set a file's owner, group or mode", tags, auth, query: perms } as const;
  route(t, { ...permissions, method: 'post', path: '/files/permissions' }, async (ctx, { query }) => {
    const info = await fs.setPermissions(principal(ctx), id(ctx), query.path, {
      owner: query.owner || undefined,
      group: query.group || undefined,
      mode: query.mode || undefined,
    });
    ctx.body = fileInfoDto(info);
  });
}
