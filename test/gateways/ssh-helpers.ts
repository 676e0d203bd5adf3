// What the SSH gateway tests share: a stack with the gateway on a free port,
// and the real OpenSSH client run with a throw-away known_hosts that holds
// the server's host key (strict checking, so a wrong key fails the test) and
// no configuration or keys of this machine's user.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHostKey } from '../../gateways/ssh/host-key.js';
import { createSandbox, startStack, type Stack, type StackOptions } from '../helpers/stack.js';
import { sshOptions } from '../helpers/ssh-options.js';

export interface SshFixture {
  stack: Stack;
  /** Sandbox id and name. */
  id: string;
  name: string;
  port: number;
  /** Folder for known_hosts, keys and files the test writes. */
  dir: string;
  /** Options every ssh/scp/sftp call gets: -F /dev/null, known_hosts with the host key, batch mode, no agent. */
  opts: string[];
  /** A fresh access token for the sandbox. */
  token(minutes?: number): Promise<string>;
  close(): Promise<void>;
}

export async function sshFixture(
  o: { sandbox?: Record<string, unknown>; stack?: StackOptions } = {},
): Promise<SshFixture> {
  const stack = await startStack({ ...o.stack, ssh: true });
  const port = stack.server.ssh!.port();
  const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-test-'));
  const known = join(dir, 'known_hosts');
  writeFileSync(
    known,
    `[127.0.0.1]:${port} ${loadHostKey(stack.home).publicKey}\n[localhost]:${port} ${loadHostKey(stack.home).publicKey}\n`,
  );
  const s = await createSandbox(stack, { autoStopInterval: 0, ...o.sandbox });
  const opts = sshOptions(known, ['ConnectTimeout=10']);
  return {
    stack,
    id: s.id,
    name: s.name,
    port,
    dir,
    opts,
    async token(minutes = 60) {
      const r = await stack.api('POST', `/sandbox/${s.id}/ssh-access?expiresInMinutes=${minutes}`);
      if (r.status !== 200) throw new Error(`ssh-access: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async close() {
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a client (ssh, scp, sftp, rsync) to its end; kills it after `timeoutMs`. Never blocks the event loop. */
export function run(
  cmd: string,
  args: string[],
  o: {
    input?: string | Buffer;
    timeoutMs?: number;
    onStdout?: (s: string) => void;
    env?: Record<string, string>;
    onSpawn?: (pid: number) => void;
  } = {},
): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so a timeout also kills what it started (scp and sftp run ssh).
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      o.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {});
    if (child.pid) o.onSpawn?.(child.pid);
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, o.timeoutMs ?? 60_000);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** `ssh` with the fixture's options, as `user` at 127.0.0.1. */
export const ssh = (f: SshFixture, user: string, args: string[], o: Parameters<typeof run>[2] = {}) =>
  run('ssh', [...f.opts, '-p', String(f.port), `${user}@127.0.0.1`, ...args], o);

/** Makes an ed25519 key pair without a passphrase; returns the private key's path (the public one is `${path}.pub`). */
export async function newKey(dir: string, name: string): Promise<string> {
  const path = `${dir}/${name}`;
  const r = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path]);
  if (r.code !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  return path;
}

/** Starts `ssh … cmd` and resolves once it printed `ready`; `exit` resolves with the run and when it ended; `kill` ends the client. */
export async function openSession(
  f: SshFixture,
  user: string,
  extra: string[] = [],
): Promise<{ exit: Promise<Run & { at: number }>; kill: () => void }> {
  let started!: () => void;
  let pid = 0;
  const ready = new Promise<void>((r) => (started = r));
  const exit = run(
    'ssh',
    [...f.opts, ...extra, '-p', String(f.port), `${user}@127.0.0.1`, 'echo ready; exec sleep 60'],
    { timeoutMs: 90_000, onSpawn: (p) => (pid = p), onStdout: (out) => out.includes('ready') && started() },
  ).then((r) => ({ ...r, at: Date.now() }));
  await Promise.race([
    ready,
    exit.then((r) => Promise.reject(new Error(`session ended early: ${r.code} ${r.stderr}`))),
  ]);
  return { exit, kill: () => process.kill(-pid, 'SIGKILL') };
}
