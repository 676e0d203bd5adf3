// killTree (daemon/procfs.ts), as a PTY's DELETE uses it: a shell with job
// control runs each job in a process group of its own, so killing the shell's
// group misses the job, and once the shell is dead the job hangs off PID 1
// (no parent link back to the shell); only its session still names the shell.
// Real processes; no terminal, so no SIGHUP comes to finish the job off.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { killTree } from '../../daemon/procfs.js';

const alive = (pid: number) => {
  try {
    // A zombie (reaped later by whoever adopted it) is as dead as a user can tell.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

it('kills a job the shell put in a process group of its own', async () => {
  // setsid: the shell leads its own session and group, as the daemon's PTY shell does.
  const shell = spawn('setsid', ['bash', '-c', 'set -m; sleep 600 & echo $!; wait'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const job = await new Promise<number>((resolve) => shell.stdout.once('data', (d: Buffer) => resolve(Number(d))));
  assert.ok(alive(job), 'the job runs');
  // The shell dies first (as it can between reading the tree and the signals): its job hangs off PID 1 now.
  process.kill(shell.pid!, 'SIGKILL');
  await new Promise((r) => shell.once('exit', r));
  killTree(shell.pid!, 'SIGKILL');
  for (let i = 0; i < 20 && alive(job); i++) await new Promise((r) => setTimeout(r, 50));
  const survived = alive(job);
  if (survived) process.kill(job, 'SIGKILL');
  assert.equal(survived, false, 'the job outlived killTree');
});
