// The S3-compatible endpoint SDK clients upload build contexts to, on the
// main port under the bucket's path (`/{bucket}/…`, path-style). Each request
// is authenticated here: its AWS v4 signature is recomputed with the AWS
// signer (@smithy/signature-v4) and the key's secret, and the orchestrator
// decides what the key may touch. The embedded store (@20minutes/s3rver,
// files under BERTH_HOME/objects) then serves it without credentials — or,
// with BERTH_S3_URL, it is signed again with Berth's own credentials and
// forwarded to the external store.
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AppError } from '../common/errors.js';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/log.js';
import type { Orchestrator } from '../orchestrator/index.js';

const require = createRequire(import.meta.url);
/** Requests may be signed this long before or after now (S3's own allowance). */
const MAX_SKEW_MS = 15 * 60_000;

interface S3rverApp {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  configureBuckets(): Promise<void>;
}

export interface ObjectStorageMount {
  /** Serves the request when it names the bucket; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export async function createObjectStorage(o: {
  orch: Orchestrator;
  config: Config;
  log: Logger;
}): Promise<ObjectStorageMount> {
  const c = o.config;
  const bucket = c.s3Bucket;
  let serve: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  if (c.s3Url) {
    if (!c.s3AccessKey || !c.s3SecretKey)
      throw new AppError('invalid_argument', 'BERTH_S3_URL needs BERTH_S3_ACCESS_KEY and BERTH_S3_SECRET_KEY', {
        hint: 'set the credentials of the external store, or unset BERTH_S3_URL for the embedded one',
      });
    serve = (req, res) => forward(req, res, c);
  } else {
    const S3rver = require('@20minutes/s3rver') as new (opts: Record<string, unknown>) => S3rverApp;
    const s3 = new S3rver({
      directory: join(c.home, 'objects'),
      silent: true,
      vhostBuckets: false,
      configureBuckets: [{ name: bucket }],
    });
    await s3.configureBuckets();
    serve = s3.callback();
  }
  const prefix = `/${bucket}`;
  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
      try {
        await authenticate(o.orch, req, url, bucket);
      } catch (e) {
        const err = e instanceof AppError ? e : new AppError('unauthorized', (e as Error).message);
        const code = err.reason ?? (err.code === 'unauthorized' ? 'AccessDenied' : 'AccessDenied');
        res.statusCode =
          err.code === 'payload_too_large'
            ? 413
            : err.code === 'unauthorized'
              ? 403
              : err.code === 'forbidden'
                ? 403
                : 400;
        res.setHeader('content-type', 'application/xml');
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(err.message)}</Message></Error>`,
        );
        req.resume();
        return true;
      }
      // Verified: the store serves it as an anonymous request (it has no accounts of its own).
      delete req.headers.authorization;
      await serve(req, res);
      return true;
    },
  };
}

/** Headers a client's S3 request keeps on its way to the external store (signed again there). */
const FORWARDED =
  /^(content-type|content-length|content-md5|x-amz-content-sha256|x-amz-meta-.*|x-amz-checksum-.*|range|if-match|if-none-match)$/;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding']);

/** Sends a verified request on to the external store, signed with Berth's credentials, streaming both bodies. */
async function forward(req: IncomingMessage, res: ServerResponse, c: Config): Promise<void> {
  const base = new URL(c.s3Url!);
  const incoming = new URL(req.url ?? '/', 'http://x');
  if (String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
    res.statusCode = 400;
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>chunk-signed uploads cannot be forwarded to the external store; send a payload hash or UNSIGNED-PAYLOAD</Message></Error>',
    );
    req.resume();
    return;
  }
  const headers: Record<string, string> = { host: base.host };
  for (const [k, v] of Object.entries(req.headers))
    if (FORWARDED.test(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  headers['x-amz-content-sha256'] ??= 'UNSIGNED-PAYLOAD';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of incoming.searchParams) query[k] = k in query ? [...([] as string[]).concat(query[k]!), v] : v;
  // `/bucket/` and `/bucket` are the same bucket request; stores canonicalise the bare form more alike.
  const path = base.pathname.replace(/\/$/, '') + incoming.pathname.replace(/^(\/[^/]+)\/$/, '$1');
  const signer = new SignatureV4({
    credentials: { accessKeyId: c.s3AccessKey!, secretAccessKey: c.s3SecretKey! },
    region: c.s3Region,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method: req.method ?? 'GET',
    protocol: base.protocol,
    hostname: base.hostname,
    port: base.port ? Number(base.port) : undefined,
    path,
    query,
    headers,
  });
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(req.method ?? 'GET');
  let upstream: Response;
  try {
    upstream = await fetch(`${base.origin}${path}${incoming.search}`, {
      method: req.method,
      headers: signed.headers as Record<string, string>,
      body: hasBody ? (req as unknown as AsyncIterable<Uint8Array>) : undefined,
      duplex: 'half',
    } as RequestInit);
  } catch (e) {
    res.statusCode = 502;
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>the object store at BERTH_S3_URL did not answer: ${escapeXml((e as Error).message)}</Message></Error>`,
    );
    return;
  }
  res.statusCode = upstream.status;
  upstream.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k)) res.setHeader(k, v);
  });
  if (!upstream.body) return void res.end();
  for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Parses `AWS4-HMAC-SHA256 Credential=AK/date/region/s3/aws4_request, SignedHeaders=a;b, Signature=hex`. */
function parseAuthorization(h: string | undefined): {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
} {
  const m =
    /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/i.exec(
      h ?? '',
    );
  if (!m)
    throw new AppError(
      'unauthorized',
      'requests must be signed with AWS signature version 4 in the Authorization header',
      {
        reason: 'AccessDenied',
        hint: 'use an S3 client with the credentials from GET /api/object-storage/push-access',
      },
    );
  return {
    accessKey: m[1]!,
    date: m[2]!,
    region: m[3]!,
    service: m[4]!,
    signedHeaders: m[5]!.toLowerCase().split(';'),
    signature: m[6]!.toLowerCase(),
  };
}

async function authenticate(orch: Orchestrator, req: IncomingMessage, url: URL, bucket: string): Promise<void> {
  const auth = parseAuthorization(req.headers.authorization);
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!at || !auth.signedHeaders.includes('host'))
    throw new AppError('unauthorized', 'the request must sign host and x-amz-date', { reason: 'AccessDenied' });
  const signingDate = new Date(Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!));
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS)
    throw new AppError('unauthorized', 'the request time is too far from the server time', {
      reason: 'RequestTimeTooSkewed',
    });
  // The store decodes signed aws-chunked bodies only; trailer checksums would be stored as part of the object.
  const payload = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!/^(UNSIGNED-PAYLOAD|STREAMING-AWS4-HMAC-SHA256-PAYLOAD|[0-9a-f]{64})$/i.test(payload)) {
    throw new AppError(
      'invalid_argument',
      `x-amz-content-sha256 ${payload || '(missing)'} is not supported by this store`,
      {
        reason: 'NotImplemented',
        hint: "configure the S3 client with requestChecksumCalculation: 'WHEN_REQUIRED', or upload known-length bodies",
      },
    );
  }
  const path = url.pathname;
  const key = decodeURIComponent(path.slice(bucket.length + 2));
  const secret = await orch.objects.authorize({
    accessKey: auth.accessKey,
    method: req.method ?? 'GET',
    bucket,
    key,
    query: url.searchParams,
    contentLength: Number(req.headers['content-length'] ?? 0),
  });
  const headers: Record<string, string> = {};
  for (const h of auth.signedHeaders) {
    const v = req.headers[h];
    if (v === undefined)
      throw new AppError('unauthorized', `signed header ${h} is missing`, { reason: 'AccessDenied' });
    headers[h] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [...([] as string[]).concat(query[k]!), v] : v;
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKey, secretAccessKey: secret },
    region: auth.region,
    service: auth.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: req.method ?? 'GET', protocol: 'http:', hostname: headers.host ?? '', path, query, headers },
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected =
    /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization ?? ''))?.[1] ??
    '';
  if (
    expected.length !== auth.signature.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))
  ) {
    throw new AppError('unauthorized', 'the request signature does not match', {
      reason: 'SignatureDoesNotMatch',
      hint: 'sign with the secret from GET /api/object-storage/push-access',
    });
  }
}
