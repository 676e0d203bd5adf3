// Entry point of the daemon: PID 1 of every sandbox. It reaps orphans, starts
// the image's own entrypoint, and serves the toolbox over its dial-out link.
import { accessSync, constants, readFileSync } from 'node:fs';
import { SANDBOX_PATHS, type DaemonHealth } from '../common/wire/daemon.js';
import { BERTH_VERSION } from '../common/version.js';
import type { DaemonContext } from './context.js';
import { startEntrypoint } from './entrypoint.js';
import { homeOf, userName } from './files/accounts.js';
import { registerFiles } from './files/routes.js';
import { registerPosixFiles } from './files/posix-routes.js';
import { registerExec } from './process/exec.js';
import { registerExecAttach } from './process/attach.js';
import { registerFileSearch } from './files/search-routes.js';
import { SessionRegistry } from './sessions/registry.js';
import { registerSessions } from './sessions/routes.js';
import { registerCodeRun } from './code-run/routes.js';
import { GitRunner } from './git/run.js';
import { registerGit } from './git/routes.js';
import { registerGitRemotes } from './git/remote-routes.js';
import { registerSystem } from './system/routes.js';
import { registerPty } from './pty/routes.js';
import { registerInterpreter } from './interpreter/routes.js';
import { registerLsp } from './lsp/routes.js';
import { registerForward } from './forward/routes.js';
import { loadNative } from './native.js';
import { startReaper } from './reaper.js';
import { Router, sendJson } from './router.js';
import { serveOverDialOut } from './server.js';
import { Spawner } from './spawner.js';

const PRIVATE_ENV = [
  'BERTH_SANDBOX_ID',
  'BERTH_DAEMON_SECRET',
  'BERTH_IMAGE_CMD',
  'BERTH_WORKDIR',
  'BERTH_SOCKET',
  'BERTH_MAX_OUTPUT',
];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** What daemon/loader.ts, which compiles this bundle with V8's code cache, hands over. */
export interface DaemonBoot {
  /** The daemon folder (/.berth/bin), where the loader found this bundle. */
  bundleDir: string;
  codeCache: DaemonHealth['codeCache'];
}

export function main(boot: DaemonBoot): void {
  const env = process.env;
  const sandboxId = env.BERTH_SANDBOX_ID ?? 'unknown';
  let secret = env.BERTH_DAEMON_SECRET ?? '';
  try {
    secret ||= readFileSync(`${SANDBOX_PATHS.run}/secret`, 'utf8').trim();
  } catch {
    /* the runner will reject us; keep retrying in case the file appears */
  }
  const socketPath = env.BERTH_SOCKET ?? SANDBOX_PATHS.runnerSocket;
  let imageCmd: string[] = [];
  try {
    imageCmd = JSON.parse(env.BERTH_IMAGE_CMD ?? '[]') as string[];
  } catch {
    /* none */
  }
  // Read before the private variables are scrubbed from process.env below.
  const maxOutputBytes = Number(env.BERTH_MAX_OUTPUT) || 16 << 20;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const home = homeOf(uid) ?? env.HOME ?? '/';
  const workdir = env.BERTH_WORKDIR || process.cwd();
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !PRIVATE_ENV.includes(k)) childEnv[k] = v;
  childEnv.HOME ??= home;
  childEnv.USER ??= userName(uid);
  childEnv.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  // The secret must not leak to anything the sandbox runs.
  for (const k of PRIVATE_ENV) delete process.env[k];
  try {
    process.chdir(workdir);
  } catch {
    /* workdir may not exist in this image; paths still resolve against it */
  }

  const { bundleDir } = boot;
  const native = loadNative(bundleDir);
  const spawner = new Spawner(native);
  const ctx: DaemonContext = {
    sandboxId,
    version: BERTH_VERSION,
    paths: { workdir, home },
    spawner,
    env: childEnv,
    user: { uid, gid, name: userName(uid) },
    shell: executable('/bin/bash') ? '/bin/bash' : '/bin/sh',
    startedAt: Date.now(),
    bundleDir,
    maxOutputBytes,
  };

  const reaper = startReaper(spawner, native);
  const router = new Router();
  router.on('GET', '/health', ({ res }) =>
    sendJson(res, 200, {
      version: ctx.version,
      protocol: 1,
      pid: process.pid,
      uid,
      gid,
      user: ctx.user.name,
      home,
      workdir,
      uptimeMs: Date.now() - ctx.startedAt,
      rssBytes: process.memoryUsage.rss(),
      reaper: reaper.available,
      spawn: spawner.kind,
      codeCache: boot.codeCache,
    }),
  );
  registerExec(router, ctx);
  registerExecAttach(router, ctx);
  registerFiles(router, ctx);
  registerPosixFiles(router, ctx);
  registerPty(router, ctx);
  registerInterpreter(router, ctx);
  registerLsp(router, ctx);

  const entrypoint = startEntrypoint(ctx, imageCmd);
  registerFileSearch(router, ctx);
  registerSessions(router, new SessionRegistry(ctx, entrypoint));
  registerCodeRun(router, ctx);
  const git = new GitRunner(ctx);
  registerGit(router, ctx, git);
  registerGitRemotes(router, ctx, git);
  registerSystem(router, ctx);
  registerForward(router, ctx);
  const link = serveOverDialOut({ socketPath, sandboxId, secret, router });

  // PID 1 gets no default signal handling: stop must be explicit and prompt.
  const shutdown = () => {
    link.stop();
    // kill(-1) from PID 1 signals everything else in the sandbox; anywhere else it would hit the host.
    if (process.pid === 1) {
      try {
        process.kill(-1, 'SIGTERM');
      } catch {
        /* nothing else running */
      }
    }
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('SIGHUP', () => {});
  process.on('uncaughtException', (e) => process.stderr.write(`berth-daemon: ${e.stack ?? e}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`berth-daemon: ${String(e)}\n`));
}
