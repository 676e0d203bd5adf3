// Toolbox file routes (compat spec §4.3, §1.2): list, info, folders, delete,
// move, and streamed upload/download (bulk multipart and single raw).
import { basename } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../../context.js';
import { fileInfoDto } from '../../dto.js';
import { errorBody } from '../../errors.js';
import { body, queryBool, queryNumber, queryString } from '../../parse.js';
import { ownBody } from '../../body-type.js';
import { endWhenDone } from './common.js';
import { MultipartWriter, readMultipart } from './multipart.js';

export function registerFiles(router: ApiRouter, d: HttpDeps): void {
  const files = d.orch.toolbox.files;
  const id = (ctx: Ctx) => ctx.params.sandboxId!;

  router.get('/files', async (ctx) => {
    const path = queryString(ctx, 'path') || '.';
    const depth = queryNumber(ctx, 'depth', { min: 1, max: 64, int: true }) ?? 1;
    ctx.body = (await files.list(principal(ctx), id(ctx), path, depth)).map(fileInfoDto);
  });

  router.get('/files/info', async (ctx) => {
    ctx.body = fileInfoDto(await files.stat(principal(ctx), id(ctx), queryString(ctx, 'path', true)));
  });

  router.post('/files/folder', async (ctx) => {
    const mode = queryString(ctx, 'mode');
    const info = await files.mkdir(principal(ctx), id(ctx), queryString(ctx, 'path', true), mode || undefined);
    ctx.status = 201;
    ctx.body = fileInfoDto(info);
  });

  router.delete('/files', async (ctx) => {
    await files.remove(principal(ctx), id(ctx), queryString(ctx, 'path', true), queryBool(ctx, 'recursive') ?? false);
    ctx.status = 204;
  });

  router.post('/files/move', async (ctx) => {
    ctx.body = fileInfoDto(await files.move(principal(ctx), id(ctx), queryString(ctx, 'source', true), queryString(ctx, 'destination', true), queryBool(ctx, 'overwrite') ?? false));
  });

  router.post('/files/bulk-upload', ownBody, async (ctx) => {
    ctx.body = await files.session(principal(ctx), id(ctx), async (upload) => {
      const uploaded: Record<string, unknown>[] = [];
      await readMultipart(ctx.req, d.config.uploadLimitBytes, async (part, fields) => {
        const m = /^files\[(\d+)\]\.file$/.exec(part.field);
        if (!m) throw new AppError('invalid_argument', `unexpected file part ${part.field}`, { hint: 'send files[i].path then files[i].file for each file', reason: 'BAD_REQUEST' });
        const dest = fields.get(`files[${m[1]}].path`);
        if (!dest) throw new AppError('invalid_argument', `files[${m[1]}].path must come before files[${m[1]}].file`, { reason: 'BAD_REQUEST' });
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
        if (len > d.config.uploadLimitBytes) throw new AppError('payload_too_large', `upload over ${d.config.uploadLimitBytes} bytes`);
        info = await upload(dest, ctx.req);
      }
      ctx.body = { name: basename(dest), path: (info as { path: string }).path, type: 'file' };
    });
  router.post('/files/upload', ownBody, single);
  router.post('/files/upload-v2', ownBody, single);

  router.post('/files/bulk-download', async (ctx) => {
    const { paths } = body(ctx, z.object({ paths: z.array(z.string()).min(1).max(10_000) }));
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
            out.error(p, errorBody(err, { path: ctx.path, method: ctx.method }, true, d.clock.now()) as unknown as Record<string, unknown>);
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
  });

  router.get('/files/download', async (ctx) => {
    const path = queryString(ctx, 'path', true);
    const { value: f, end } = await files.download(principal(ctx), id(ctx), path);
    ctx.set('content-disposition', `attachment; filename="${basename(path).replace(/"/g, '')}"`);
    ctx.type = 'application/octet-stream';
    if (f.size >= 0) ctx.length = f.size;
    ctx.body = f.stream;
    endWhenDone(f.stream, ctx.res, end);
  });
}
