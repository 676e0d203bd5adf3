// What a remote runner reports over its link: its capacity once per link
// (GET /info) and its usage on every heartbeat (GET /usage).
import { statfs } from 'node:fs/promises';
import { freemem, loadavg } from 'node:os';
import { BERTH_VERSION } from '../../common/version.js';
import type { RunnerCapacity, RunnerUsage } from '../../common/wire/runner-link.js';
import type { ContainerRuntime } from '../runtime/interface.js';
import { gvisorMode } from '../runtime/gvisor-mode.js';

const GiB = 1024 ** 3;
const round = (n: number) => Math.round(n * 100) / 100;

export interface ReportDeps {
  runtime: ContainerRuntime;
  /** Id this runner's containers are labelled with. */
  runnerId: string;
  /** Its data folder: the disk it has is that file system's size. */
  home: string;
  labels: Record<string, string>;
  /** Where its archives are in the archive store, or null when they stay on its disk. */
  archivePrefix: string | null;
}

export async function capacity(d: ReportDeps): Promise<RunnerCapacity> {
  const [info, fs] = await Promise.all([d.runtime.info(), statfs(d.home)]);
  return {
    cpus: info.cpus,
    memoryGiB: round(info.memoryBytes / GiB),
    diskGiB: round((fs.blocks * fs.bsize) / GiB),
    runtimes: info.runtimes,
    gvisor: gvisorMode(info),
    storageDriver: info.storageDriver,
    labels: d.labels,
    version: BERTH_VERSION,
    engineVersion: info.version,
    archivePrefix: d.archivePrefix,
  };
}

export async function usage(d: ReportDeps): Promise<RunnerUsage> {
  const held = await d.runtime.list(d.runnerId);
  return {
    sandboxes: held.length,
    running: held.filter((c) => c.running).length,
    load1: round(loadavg()[0] ?? 0),
    memoryFreeGiB: round(freemem() / GiB),
  };
}
