// Toolbox file routes (compat spec §4.3, §1.2): list, info, folders, delete,
// move, and streamed upload/download (bulk multipart and single raw).
import { basename } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { principal, type Ctx } from '../../context.js';
import { fileInfoDto } from '../../dto.js';
import { errorBody } from '../../errors.js';
import { queryString } from '../../parse.js';
import { ownBody } from '../../body-type.js';
import { qs, queryObject } from '../../query-fields.js';
import { route, type RouteTable } from '../../route.js';
import { endWhenDone } from './common.js';
import { MultipartWriter, readMultipart } from './multipart.js';

const tags = ['toolbox: files'];
const path = (description = 'A path in the sandbox') => qs.required(description);
const ListQuery = queryObject({
  path: qs.string('A directory (default: the working directory)'),
  depth: qs.number({ min: 1, max: 64, int: true, description: 'Levels to list (default 1)' }),
});
const PathQuery = queryObject({ path: path() });
const FolderQuery = queryObject({ path: path(), mode: qs.string('Octal permissions, e.g. 755') });
const DeleteQuery = queryObject({ path: path(), recursive: qs.bool('Delete a directory and everything in it') });
const MoveQuery = queryObject({
  source: path('From'),
  destination: path('To'),
  overwrite: qs.bool('Replace an existing destination'),
});
// The sandbox is looked up before the path is read: the handler checks it.
const UploadQuery = queryObject({ path: qs.string('Where the file goes (required)') });
const BulkDownload = z.object({ paths: z.array(z.string()).min(1).max(10_000) });

export function registerFiles(t: RouteTable): void {
  const d = t.d;
  const files = d.orch.toolbox.files;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;

  route(
    t,
    { method: 'get', path: '/files', summary: 'List a directory', tags, auth: 'key', query: ListQuery },
    async (ctx, { query: q }) => {
      ctx.body = (await files.list(principal(ctx), id(ctx), q.path || '.', q.depth ?? 1)).map(fileInfoDto);
    },
  );

  route(
    t,
    { method: 'get', path: '/files/info', summary: 'About a file', tags, auth: 'key', query: PathQuery },
    async (ctx, { query: q }) => {
      ctx.body = fileInfoDto(await files.stat(principal(ctx), id(ctx), q.path));
    },
  );

  const folder = {
    method: 'post',
    path: '/files/folder',
    summary: 'Create a directory',
    tags,
    auth: 'key',
    query: FolderQuery,
    responses: { 201: 'Created' },
  } as const;
  route(t, folder, async (ctx, { query: q }) => {
    const info = await files.mkdir(principal(ctx), id(ctx), q.path, q.mode || undefined);
    ctx.status = 201;
    ctx.body = fileInfoDto(info);
  });

  const del = {
    method: 'delete',
    path: '/files',
    summary: 'Delete a file or directory',
    tags,
    auth: 'key',
    query: DeleteQuery,
    responses: { 204: 'Deleted' },
  } as const;
  route(t, del, async (ctx, { query: q }) => {
    await files.remove(principal(ctx), id(ctx), q.path, q.recursive ?? false);
    ctx.status = 204;
  });

  route(
    t,
    { method: 'post', path: '/files/move', summary: 'Move or rename', tags, auth: 'key', query: MoveQuery },
    async (ctx, { query: q }) => {
      ctx.body = fileInfoDto(await files.move(principal(ctx), id(ctx), q.source, q.destination, q.overwrite ?? false));
    },
  );

  const multipart = (description: string) => ({ type: 'multipart/form-data', description });
  const bulk = {
    method: 'post',
    path: '/files/bulk-upload',
    summary: 'Upload files (multipart, streamed)',
    tags,
    auth: 'key',
    before: [ownBody],
  } as const;
  route(t, { ...bulk, bodyType: multipart('files[i].path then files[i].file for each file') }, async (ctx) => {
    ctx.body = await files.session(principal(ctx), id(ctx), async (upload) => {
      const uploaded: Record<string, unknown>[] = [];
      await readMultipart(ctx.req, d.config.uploadLimitBytes, async (part, fields) => {
        const m = /^files\[(\d+)\]\.file$/.exec(part.field);
        if (!m)
          throw new AppError('invalid_argument', `unexpected file part ${part.field}`, {
            hint: 'send files[i].path then files[i].file for each file',
            reason: 'BAD_REQUEST',
          });
        const dest = fields.get(`files[${m[1]}].path`);
        if (!dest)
          throw new AppError('invalid_argument', `files[${m[1]}].path must come before files[${m[1]}].file`, {
            reason: 'BAD_REQUEST',
          });
        uploaded.push(fileInfoDto(await upload(dest, part.stream)));
      });
      return uploaded;
    });
  });

  /** Single-file upload: `file` part (legacy and v2) or a raw body (v2). */
  const single = async (ctx: Ctx) =>
    files.session(principal(ctx), id(ctx), async (upload) => {
      const dest = queryString(ctx, 'path', true);
      const ct = ctx.get('content-type');
      let info;
      if (/^multipart\/form-data/i.test(ct)) {
        await readMultipart(ctx.req, d.config.uploadLimitBytes, async (part) => {
          if (part.field !== 'file') {
            part.stream.resume();
            return;
          }
          info = await upload(dest, part.stream);
        });
        if (!info) throw new AppError('invalid_argument', 'no `file` part in the upload', { reason: 'BAD_REQUEST' });
      } else {
        const len = Number(ctx.get('content-length') || 0);
        if (len > d.config.uploadLimitBytes)
          throw new AppError('payload_too_large', `upload over ${d.config.uploadLimitBytes} bytes`);
        info = await upload(dest, ctx.req);
      }
      ctx.body = { name: basename(dest), path: (info as { path: string }).path, type: 'file' };
    });
  const upload = {
    method: 'post',
    summary: 'Upload one file (a `file` part, or the raw body)',
    tags,
    auth: 'key',
    query: UploadQuery,
  } as const;
  const one = multipart('a `file` part; or any other content type: the body is the file');
  route(t, { ...upload, path: '/files/upload', bodyType: one, before: [ownBody] }, single);
  route(t, { ...upload, path: '/files/upload-v2', bodyType: one, before: [ownBody] }, single);

  const bulkDown = {
    method: 'post',
    path: '/files/bulk-download',
    summary: 'Download files (multipart, streamed)',
    tags,
    auth: 'key',
  } as const;
  const many = { 200: 'multipart/form-data: one part per file, or an error part' };
  route(
    t,
    { ...bulkDown, body: BulkDownload, example: { paths: ['README.md'] }, responses: many },
    async (ctx, { body: b }) => {
      const { paths } = b;
      const { value: download, end } = await files.openDownloads(principal(ctx), id(ctx));
      const out = new MultipartWriter();
      ctx.type = out.contentType;
      ctx.body = out.stream;
      endWhenDone(out.stream, ctx.res, end);
      void (async () => {
        for (const p of paths) {
          let f;
          try {
            f = await download(p);
          } catch (e) {
            const err = e instanceof AppError ? e : new AppError('internal', (e as Error).message);
            out.error(
              p,
              errorBody(err, { path: ctx.path, method: ctx.method }, true, d.clock.now()) as unknown as Record<
                string,
                unknown
              >,
            );
            continue;
          }
          try {
            await out.file(p, f.size, f.stream);
          } catch (e) {
            // Part of the file is already sent: the only honest answer left is a broken response.
            out.stream.destroy(e as Error);
            return;
          }
          if (out.stream.destroyed) return;
        }
        out.end();
      })();
    },
  );

  const down = {
    method: 'get',
    path: '/files/download',
    summary: 'Download one file',
    tags,
    auth: 'key',
    query: PathQuery,
  } as const;
  route(t, { ...down, responses: { 200: 'The file (application/octet-stream)' } }, async (ctx, { query: q }) => {
    const path = q.path;
    const { value: f, end } = await files.download(principal(ctx), id(ctx), path);
    ctx.set('content-disposition', `attachment; filename="${basename(path).replace(/"/g, '')}"`);
    ctx.type = 'application/octet-stream';
    if (f.size >= 0) ctx.length = f.size;
    ctx.body = f.stream;
    endWhenDone(f.stream, ctx.res, end);
  });
}
