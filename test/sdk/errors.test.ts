// The SDK raises its typed errors from Berth's answers: every AppError code
// through the real HTTP error table, and the common cases against a live server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  Daytona,
  DaytonaAuthenticationError,
  DaytonaBadGatewayError,
  DaytonaUnprocessableEntityError,
  DaytonaConflictError,
  DaytonaError,
  DaytonaForbiddenError,
  DaytonaGoneError,
  DaytonaInternalServerError,
  DaytonaNotFoundError,
  DaytonaRateLimitError,
  DaytonaServiceUnavailableError,
  DaytonaTimeoutError,
  DaytonaValidationError,
} from '@daytonaio/sdk';
import { AppError, ERROR_CODES, type ErrorCode } from '../../common/errors.js';
import { errorBody, HTTP_STATUS } from '../../http/errors.js';
import { otherOrgKey, sdkStack, type SdkStack } from './helpers.js';
import { freePort } from '../helpers/free-port.js';

/** The SDK class each Berth error code must produce. */
const EXPECTED: Record<ErrorCode, new (...a: never[]) => Error> = {
  invalid_argument: DaytonaValidationError,
  unauthorized: DaytonaAuthenticationError,
  forbidden: DaytonaForbiddenError,
  not_found: DaytonaNotFoundError,
  conflict: DaytonaConflictError,
  failed_precondition: DaytonaConflictError,
  unprocessable: DaytonaUnprocessableEntityError,
  bad_gateway: DaytonaBadGatewayError,
  quota_exceeded: DaytonaForbiddenError,
  rate_limited: DaytonaRateLimitError,
  payload_too_large: DaytonaError,
  unsupported_media_type: DaytonaError,
  headers_too_large: DaytonaError,
  timeout: DaytonaTimeoutError,
  gone: DaytonaGoneError,
  unavailable: DaytonaServiceUnavailableError,
  no_capacity: DaytonaServiceUnavailableError,
  not_implemented: DaytonaError,
  internal: DaytonaInternalServerError,
};

describe('SDK: typed errors', () => {
  it('maps every Berth error code to the SDK error class', async () => {
    let code: ErrorCode = 'internal';
    // A server that answers every request with the current code, through the real error table.
    const server = http.createServer((req, res) => {
      const e = new AppError(code, `failing with ${code}`, {
        hint: 'a hint',
        details: code === 'rate_limited' ? { retryAfterSeconds: 7 } : undefined,
      });
      res.writeHead(HTTP_STATUS[code], {
        'content-type': 'application/json',
        ...(code === 'rate_limited' ? { 'retry-after': '7' } : {}),
      });
      res.end(JSON.stringify(errorBody(e, { path: req.url ?? '/', method: req.method ?? 'GET' }, false, new Date())));
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    // No Socket.IO on this stub: poll instead, so nothing lingers.
    const daytona = new Daytona({ apiKey: 'k', apiUrl: `http://127.0.0.1:${port}/api`, useDeprecatedPolling: true });
    try {
      for (const c of ERROR_CODES) {
        code = c;
        const err = await daytona.get('x').then(
          () => null,
          (e: unknown) => e as DaytonaError,
        );
        assert.ok(err instanceof EXPECTED[c], `${c}: got ${err?.constructor.name}`);
        assert.equal(err.statusCode, HTTP_STATUS[c], c);
        assert.equal(err.message, `failing with ${c}`);
        assert.equal(err.code, c);
        if (c === 'rate_limited') assert.equal(err.headers?.['retry-after'], '7');
      }
    } finally {
      await daytona[Symbol.asyncDispose]();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  describe('against a live server', () => {
    let t: SdkStack;
    before(async () => {
      t = await sdkStack();
    });
    after(async () => {
      await t?.close();
    });

    it('raises not found, validation, authentication and authorization errors', async () => {
      await assert.rejects(
        t.daytona.get('no-such-sandbox'),
        (e: unknown) => e instanceof DaytonaNotFoundError && e.statusCode === 404 && /not found/.test(e.message),
      );
      await assert.rejects(t.daytona.create({ name: 'bad name!' }), DaytonaValidationError);
      await assert.rejects(
        t.daytona.create({ image: 'berth/sandbox-base:latest', resources: { cpu: 10_000 } }),
        (e: unknown) => e instanceof DaytonaValidationError && /limits/.test((e as Error).message),
      );
      await assert.rejects(t.client({ apiKey: 'berth_wrong' }).get('x'), DaytonaAuthenticationError);
      const readOnly = await otherOrgKey(t.stack, []);
      await assert.rejects(t.client({ apiKey: readOnly.key }).volume.create('v'), DaytonaForbiddenError);
      // Another organization's sandbox is not found, never forbidden.
      const s = await t.sandbox();
      await assert.rejects(t.client({ apiKey: readOnly.key }).get(s.id), DaytonaNotFoundError);
      await s.stop();
      // SDK users see only the message, so it carries the fix too.
      await assert.rejects(
        s.process.executeCommand('true'),
        (e: unknown) => e instanceof DaytonaConflictError && /is stopped — .*start it first/.test((e as Error).message),
      );
      await s.delete(60, true);
    });

    it('raises a timeout error when create outlives its deadline', async () => {
      // A deadline no create can meet (the engine's own create and start take tens of
      // ms): Berth's creates got faster than the 0.2 s this test once used.
      const err = await t.daytona
        .create({ labels: { suite: 'errors-timeout' }, resources: { cpu: 1, memory: 1 } } as never, { timeout: 0.005 })
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(err instanceof DaytonaTimeoutError, String(err));
      assert.match((err as Error).message, /within 0.005 seconds/);
      // The server finishes the create anyway (when the request reached it); clean it up.
      for (let i = 0; i < 20; i++) {
        let found = 0;
        for await (const s of t.daytona.list({ labels: { suite: 'errors-timeout' } })) {
          found++;
          await s.delete(60, true);
        }
        if (found) break;
        await new Promise((r) => setTimeout(r, 250));
      }
    });
  });
});
