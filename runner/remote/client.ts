// A runner on another Docker host, reached over its link (common/wire/runner-link.ts):
// JSON runner calls go as POST /rpc/<method>; a sandbox's daemon is reached by
// the same DaemonClient the local runner uses, its streams sent on the link
// with the sandbox header (the runner forwards them to the daemon as they are).
// Images and sandbox archives go as streamed tars (tars.ts). Calls that take callbacks (image
// builds, pulls and pushes) are not remote yet.
import http2 from 'node:http2';
import { errorFromText } from '../../common/error-body.js';
import { AppError } from '../../common/errors.js';
import {
  ARCHIVE_READ_PATH,
  ARCHIVE_SANDBOX_HEADER,
  ARCHIVE_WRITE_PATH,
  IMAGE_LOAD_PATH,
  IMAGE_REF_HEADER,
  IMAGE_SAVE_PATH,
  RUNNER_RPC_PREFIX,
  SANDBOX_STREAM_HEADER,
  type RemoteRunnerMethod,
} from '../../common/wire/runner-link.js';
import type { EngineInfo, RunnerClient, RunnerHealth, SandboxDaemon } from '../../common/wire/runner.js';
import { DaemonClient } from '../daemon-client.js';
import { receiveTar, sendTar } from './tars.js';

/** The link's session, or an `unavailable` error when the runner is not linked. */
export type LinkSession = () => http2.ClientHttp2Session;

const notRemote = (what: string) =>
  new AppError('unavailable', `${what} is not available on remote runners yet`, {
    hint: 'see docs/scale-out.md for what remote runners do today',
  });

/** The link's session, with every stream it opens marked for one sandbox's daemon. */
function sandboxSession(session: http2.ClientHttp2Session, sandboxId: string): http2.ClientHttp2Session {
  return new Proxy(session, {
    get(target, prop) {
      if (prop === 'request')
        return (headers: http2.OutgoingHttpHeaders, o?: http2.ClientSessionRequestOptions) =>
          target.request({ ...headers, [SANDBOX_STREAM_HEADER]: sandboxId }, o);
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export class RemoteRunnerClient implements RunnerClient {
  private engine: EngineInfo | undefined;

  /** `id` is the runner's id in the registry (GET /api/runners). */
  constructor(
    readonly id: string,
    private readonly session: LinkSession,
  ) {}

  private call<T>(method: RemoteRunnerMethod, ...args: unknown[]): Promise<T> {
    const session = this.session();
    return new Promise<T>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': RUNNER_RPC_PREFIX + method });
      req.on('error', (e) =>
        reject(new AppError('unavailable', `lost the link to the runner: ${e.message}`, { hint: 'retry' })),
      );
      // A link that ends (the runner killed, its host gone) closes the stream without an error: without this the
      // call, and the sandbox's reconcile waiting on it, would wait for ever. After an answer it changes nothing.
      req.on('close', () =>
        reject(
          new AppError('unavailable', `the link to the runner closed before it answered ${method}`, { hint: 'retry' }),
        ),
      );
      req.on('response', (h) => {
        const status = Number(h[':status']);
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (status !== 200) return reject(errorFromText(text, status, `runner (${method})`));
          try {
            resolve((JSON.parse(text) as { result: T }).result);
          } catch (e) {
            reject(e as Error);
          }
        });
      });
      req.end(JSON.stringify(args));
    });
  }

  async health(): Promise<RunnerHealth> {
    try {
      const h = await this.call<RunnerHealth>('health');
      this.engine = h.engine ?? this.engine;
      return h;
    } catch (e) {
      return { ok: false, engine: this.engine, error: (e as Error).message };
    }
  }
  engineInfo = () => this.engine;
  inspectImage: RunnerClient['inspectImage'] = (...a) => this.call('inspectImage', ...a);
  observe: RunnerClient['observe'] = (...a) => this.call('observe', ...a);
  ensureStarted: RunnerClient['ensureStarted'] = (...a) => this.call('ensureStarted', ...a);
  ensureStopped: RunnerClient['ensureStopped'] = (...a) => this.call('ensureStopped', ...a);
  ensureArchived: RunnerClient['ensureArchived'] = (...a) => this.call('ensureArchived', ...a);
  ensureDestroyed: RunnerClient['ensureDestroyed'] = (...a) => this.call('ensureDestroyed', ...a);
  adoptArchive: RunnerClient['adoptArchive'] = (...a) => this.call('adoptArchive', ...a);
  applyNetworkPolicy: RunnerClient['applyNetworkPolicy'] = (...a) => this.call('applyNetworkPolicy', ...a);
  resize: RunnerClient['resize'] = (...a) => this.call('resize', ...a);
  createVolume: RunnerClient['createVolume'] = (...a) => this.call('createVolume', ...a);
  removeVolume: RunnerClient['removeVolume'] = (...a) => this.call('removeVolume', ...a);
  diskUsage: RunnerClient['diskUsage'] = (...a) => this.call('diskUsage', ...a);
  listSandboxIds: RunnerClient['listSandboxIds'] = () => this.call('listSandboxIds');
  ensurePaused: RunnerClient['ensurePaused'] = (...a) => this.call('ensurePaused', ...a);
  ensureResumed: RunnerClient['ensureResumed'] = (...a) => this.call('ensureResumed', ...a);
  commitSandbox: RunnerClient['commitSandbox'] = (...a) => this.call('commitSandbox', ...a);
  checkImage: RunnerClient['checkImage'] = (...a) => this.call('checkImage', ...a);
  removeImage: RunnerClient['removeImage'] = (...a) => this.call('removeImage', ...a);
  listImages: RunnerClient['listImages'] = (...a) => this.call('listImages', ...a);
  stats: RunnerClient['stats'] = (...a) => this.call('stats', ...a);
  logs: RunnerClient['logs'] = (...a) => this.call('logs', ...a);
  pullImageAs: RunnerClient['pullImageAs'] = (...a) => this.call('pullImageAs', ...a);
  saveImage: RunnerClient['saveImage'] = (ref) =>
    receiveTar(this.session(), this.id, { ':path': IMAGE_SAVE_PATH, [IMAGE_REF_HEADER]: ref });
  loadImage: RunnerClient['loadImage'] = (tar, signal) =>
    sendTar(this.session(), this.id, { ':path': IMAGE_LOAD_PATH }, tar, signal);
  readArchive: RunnerClient['readArchive'] = (id) =>
    receiveTar(this.session(), this.id, { ':path': ARCHIVE_READ_PATH, [ARCHIVE_SANDBOX_HEADER]: id });
  writeArchive: RunnerClient['writeArchive'] = (id, tar) =>
    sendTar(this.session(), this.id, { ':path': ARCHIVE_WRITE_PATH, [ARCHIVE_SANDBOX_HEADER]: id }, tar);

  daemon(sandboxId: string): SandboxDaemon {
    return new DaemonClient({ sandboxId, current: () => sandboxSession(this.session(), sandboxId) });
  }

  forkImageRef(): string {
    throw notRemote('forking');
  }
  buildImage(): Promise<{ size: number }> {
    return Promise.reject(notRemote('building images'));
  }
  pullImage(): Promise<void> {
    return Promise.reject(notRemote('pulling images with a progress log'));
  }
  pushImage(): Promise<void> {
    return Promise.reject(notRemote('pushing images'));
  }
  async close(): Promise<void> {
    /* the link is its owner's (orchestrator/runners/links.ts) */
  }
}
