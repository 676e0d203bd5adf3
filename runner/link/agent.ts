// One link of the runner to the API (common/wire/runner-link.ts): it dials
// one URL (no inbound port), upgrades, and serves HTTP/2 on the upgraded
// socket, so the API opens streams to it. It dials again with back-off
// whenever the link ends. The `101` names the replica reached; the runner's
// set of links (./replicas.ts) may close a link at once when it already has
// that replica, which counts as a failed dial for the back-off. A token the
// API refuses before the runner ever linked ends the run (a typo should not
// retry forever); later, a refusal is logged and retried, since the API may
// be restarting.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { AppError, ERROR_CODES, type ErrorCode } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import {
  REPLICA_HEADER,
  RUNNER_INSTANCE_HEADER,
  RUNNER_LINK_PATH,
  RUNNER_LINK_PROTOCOL,
} from '../../common/wire/runner-link.js';

/** Serves one stream the API opened on the link (runner/link/serve.ts). */
export type LinkStreamHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => unknown;

export interface LinkAgentOptions {
  /** The API's base URL (scheme, host, port): BERTH_API_URL, or one replica's. */
  apiUrl: string;
  token: string;
  /** This `berth runner` process (the API refuses a second process with the same token). */
  instance: string;
  onStream: LinkStreamHandler;
  /** Whether to keep a link that reached `replica`; false closes it at once. Default: keep. */
  admit?(replica: string): boolean;
  /** The link to `replica` (admitted) ended. */
  ended?(replica: string): void;
  /** Whether a refused token (401) ends the run; default: until this agent first linked. */
  fatalRefusal?(): boolean;
  clock: Clock;
  log: Logger;
  /** First and longest wait between dials (default 0.5 s and 5 s). */
  backoffMs?: { min: number; max: number };
}

/** The API heartbeats every few seconds; a link silent this long is dead. */
const IDLE_MS = 60_000;
/**
 * A link that lasted this long was healthy: the next failure starts the back-off over. Short, so a
 * runner is back within a second or two of each API restart (a rolling deploy restarts one replica after
 * another); only a replica that drops links at once keeps the back-off growing.
 */
const HEALTHY_MS = 5_000;
/**
 * The longest wait between dials. A refused dial costs the API one TCP accept, so waiting long buys little
 * and every second of it is a second its sandboxes are unreachable after the API comes back.
 */
const MAX_DELAY_MS = 5_000;
const DIAL_TIMEOUT_MS = 15_000;

export class LinkAgent {
  private readonly stopping = new AbortController();
  private readonly server: http2.Http2Server;
  private socket: Duplex | null = null;
  /** The replica this agent is linked to now. */
  replica: string | null = null;

  constructor(private readonly o: LinkAgentOptions) {
    this.server = http2.createServer();
    this.server.on('stream', (stream, headers) => void this.o.onStream(stream, headers));
    this.server.on('session', (s) => s.setTimeout(IDLE_MS, () => s.destroy()));
  }

  /** Dials until stopped; rejects only when a refused token is fatal (`fatalRefusal`). */
  async run(): Promise<void> {
    const { min, max } = this.o.backoffMs ?? { min: 500, max: MAX_DELAY_MS };
    let delay = min;
    let accepted = false;
    const fatal = this.o.fatalRefusal ?? (() => !accepted);
    while (!this.stopping.signal.aborted) {
      let alreadyLinked = false;
      try {
        const { socket, replica } = await this.dial();
        accepted = true;
        if (this.stopping.signal.aborted) {
          socket.destroy();
          break;
        }
        if (this.o.admit && !this.o.admit(replica)) {
          socket.destroy();
          alreadyLinked = true;
          this.o.log.debug('closed a link to a replica already linked', { api: this.o.apiUrl, replica });
        } else {
          const since = this.o.clock.now().getTime();
          this.replica = replica;
          this.o.log.info('linked to the API', { api: this.o.apiUrl, replica });
          await this.serve(socket);
          this.replica = null;
          this.o.ended?.(replica);
          if (this.stopping.signal.aborted) break;
          if (this.o.clock.now().getTime() - since > HEALTHY_MS) delay = min;
          this.o.log.warn('link to the API closed; dialing again', { api: this.o.apiUrl, retryInMs: delay });
        }
      } catch (e) {
        if (this.stopping.signal.aborted) break;
        const err = e instanceof AppError ? e : new AppError('unavailable', (e as Error).message);
        if (err.code === 'unauthorized' && fatal()) throw err;
        this.o.log.warn(err.message, { hint: err.hint, retryInMs: delay });
      }
      // ±20 %: the runners of a restarted API do not all dial it in the same instant.
      await this.o.clock.sleep(delay * (0.8 + Math.random() * 0.4), this.stopping.signal).catch(() => {});
      // Landing on a replica this runner already has is no outage: that dial may wait six times longer.
      delay = Math.min(alreadyLinked ? max * 6 : max, delay * 2);
    }
  }

  stop(): void {
    this.stopping.abort();
    this.socket?.destroy();
    this.server.close();
  }

  private dial(): Promise<{ socket: Duplex; replica: string }> {
    const url = new URL(RUNNER_LINK_PATH, this.o.apiUrl);
    const request = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: 'GET',
        agent: false,
        signal: this.stopping.signal,
        headers: {
          connection: 'Upgrade',
          upgrade: RUNNER_LINK_PROTOCOL,
          authorization: `Bearer ${this.o.token}`,
          [RUNNER_INSTANCE_HEADER]: this.o.instance,
        },
      });
      // A socket deadline, on the socket's own (real) time.
      req.setTimeout(DIAL_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${DIAL_TIMEOUT_MS / 1000} s`)));
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        // An API without replica ids: the URL stands for the one replica behind it.
        const replica = res.headers[REPLICA_HEADER];
        resolve({ socket, replica: typeof replica === 'string' && replica ? replica : this.o.apiUrl });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(refusal(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', reject);
      });
      req.on('error', (e) =>
        reject(
          new AppError('unavailable', `cannot reach the API at ${this.o.apiUrl}: ${e.message}`, {
            hint: 'check BERTH_API_URL and that the Berth server is running and reachable from this host',
          }),
        ),
      );
      req.end();
    });
  }

  /** Serves HTTP/2 on the upgraded socket until it closes. */
  private serve(socket: Duplex): Promise<void> {
    this.socket = socket;
    return new Promise((resolve) => {
      socket.once('close', () => {
        if (this.socket === socket) this.socket = null;
        resolve();
      });
      socket.on('error', (e) => this.o.log.warn('link socket error', { error: e.message }));
      this.server.emit('connection', socket);
    });
  }
}

/** The API's answer to a dial that was not an upgrade, as an error that says why. */
function refusal(status: number, text: string): AppError {
  let body: { code?: string; message?: string; hint?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* not our API's error shape */
  }
  if (status === 401)
    return new AppError(
      'unauthorized',
      'the API refused this runner token (HTTP 401: unknown, or the runner was removed)',
      {
        hint: 'create a token with `berth runner token create --name NAME`; set it as BERTH_RUNNER_TOKEN',
      },
    );
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(body.code ?? '')
    ? (body.code as ErrorCode)
    : 'unavailable';
  return new AppError(
    code,
    `the API refused the link (HTTP ${status}): ${body.message ?? (text.slice(0, 200) || '-')}`,
    {
      hint: body.hint ?? 'check BERTH_API_URL: it must be the Berth server (e.g. http://berth.example.com:3000)',
    },
  );
}
