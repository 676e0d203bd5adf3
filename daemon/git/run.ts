// Runs the image's git for one operation. Credentials reach git only through
// a credential helper that reads them from an inherited pipe (fd 3) of this
// one process tree: never argv, environment, files or logs. The helper list
// is reset first, so no configured helper (e.g. `store`) ever sees them.
import { stat } from 'node:fs/promises';
import { AppError } from '../../common/errors.js';
import { capture, type Captured } from '../capture.js';
import type { DaemonContext } from '../context.js';
import { findOnPath } from '../code-run/interpreters.js';
import { classifyGitFailure, scrub } from './classify.js';
import { blockedAddress, remoteHost } from './network.js';

export interface GitCreds {
  username?: string;
  password?: string;
}

export interface GitRun {
  op: string;
  cwd: string;
  args: string[];
  creds?: GitCreds;
  /** Git-level options before the subcommand (e.g. `-c http.sslVerify=false`). */
  pre?: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Remote URL, for network-policy diagnosis. */
  url?: string;
  abortOn?: NodeJS.EventEmitter;
}

/** Reads the credential pipe on `get`; swallows the request and `store`/`erase`. */
export const CREDENTIAL_HELPER = '!f() { cat >/dev/null; test "$1" = get && cat <&3; }; f';

export const hasCreds = (c?: GitCreds) => !!(c && (c.username || c.password));

export function credentialArgs(creds?: GitCreds): { pre: string[]; fd3In?: string } {
  if (!hasCreds(creds)) return { pre: [] };
  return {
    pre: [
      '-c',
      'credential.helper=',
      '-c',
      `credential.helper=${CREDENTIAL_HELPER}`,
      '-c',
      'credential.interactive=false',
    ],
    fd3In: `username=${creds!.username || 'git'}\npassword=${creds!.password ?? ''}\n`,
  };
}

/** Moves `user:pass@` out of a URL into credentials (explicit ones win), so they are never stored in .git/config. */
export function splitUrlCredentials(url: string, creds: GitCreds): { url: string; creds: GitCreds } {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return { url, creds };
    const fromUrl = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    u.username = '';
    u.password = '';
    return { url: u.toString(), creds: hasCreds(creds) ? creds : fromUrl };
  } catch {
    return { url, creds };
  }
}

export class GitRunner {
  constructor(private readonly ctx: DaemonContext) {}

  private binary(env: Record<string, string>): string {
    const git = findOnPath('git', env.PATH);
    if (!git)
      throw new AppError('failed_precondition', 'git is not installed in this sandbox image', {
        reason: 'BAD_REQUEST',
        hint: 'use an image with git (e.g. berth/sandbox-base) or install it',
      });
    return git;
  }

  /** A folder that must exist for a repository operation. */
  async dir(path: string): Promise<string> {
    const st = await stat(path).catch(() => null);
    if (!st)
      throw new AppError('not_found', `no such folder: ${path}`, {
        reason: 'GIT_REPO_NOT_FOUND',
        hint: 'clone or init a repository there first',
      });
    if (!st.isDirectory())
      throw new AppError('invalid_argument', `not a folder: ${path}`, {
        reason: 'INVALID_FILE_PATH',
        hint: 'give the repository folder',
      });
    return path;
  }

  async run(o: GitRun): Promise<Captured> {
    const env: Record<string, string> = {
      ...this.ctx.env,
      ...o.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      SSH_ASKPASS: '',
      LC_ALL: 'C',
      LANGUAGE: 'C',
    };
    env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes';
    const cred = credentialArgs(o.creds);
    return capture(this.ctx, {
      command: this.binary(env),
      args: [...cred.pre, ...(o.pre ?? []), ...o.args],
      cwd: o.cwd,
      env,
      stdin: o.stdin,
      fd3In: cred.fd3In,
      maxOutputBytes: this.ctx.maxOutputBytes,
      abortOn: o.abortOn,
    });
  }

  /** Runs and throws the classified error on failure. */
  async ok(o: GitRun): Promise<Captured> {
    const r = await this.run(o);
    if (r.exitCode === 0) return r;
    throw await this.failure(o, r);
  }

  async failure(o: GitRun, r: Captured): Promise<AppError> {
    const secrets = [o.creds?.password];
    if (r.spawnError)
      return new AppError('internal', `could not start git: ${r.spawnError}`, { reason: 'INTERNAL_SERVER_ERROR' });
    const err = classifyGitFailure(o.op, r.output, r.exitCode, secrets);
    if (err.reason !== 'GIT_TRANSPORT_FAILED' || !o.url) return err;
    const blocked = await blockedAddress(o.url);
    const unreachable = /no route to host/i.test(r.output);
    if (!blocked && !unreachable) return err;
    const host = remoteHost(o.url) ?? 'the remote';
    const where = blocked && blocked !== host ? `${host} (${blocked})` : host;
    return new AppError(
      'bad_gateway',
      `git ${o.op} failed: ${where} is blocked by the sandbox network policy${blocked ? '' : ' (no route to host)'}`,
      {
        reason: 'GIT_TRANSPORT_FAILED',
        hint: 'sandboxes may not reach the Berth host, link-local/metadata (169.254.169.254) or private addresses; use a public remote or change the sandbox network allow-list',
        details: { exitCode: r.exitCode, message: scrub(r.output.slice(-1000), secrets) },
      },
    );
  }
}
