// What a runner takes from its configuration: the same for the runner that
// `berth serve` embeds and for `berth runner` on another Docker host.
import { fileURLToPath } from 'node:url';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/log.js';
import type { RunnerOptions } from '../runner/index.js';
import type { ContainerRuntime } from '../runner/runtime/interface.js';

const DAEMON_BUNDLE = fileURLToPath(new URL('../daemon-bundle/daemon.js', import.meta.url));

type RunnerSettings = Pick<
  Config,
  | 'runnerId'
  | 'home'
  | 'runtimeDir'
  | 'networkName'
  | 'networkSubnet'
  | 'enforceEgress'
  | 'pidsLimit'
  | 'execOutputLimitBytes'
  | 'daemonReadySeconds'
  | 'netnsPool'
  | 'egressDnsUpstream'
>;

export function runnerOptions(config: RunnerSettings, runtime: ContainerRuntime, log: Logger): RunnerOptions {
  return {
    id: config.runnerId,
    home: config.home,
    runtimeDir: config.runtimeDir,
    runtime,
    log: log.child({ component: 'runner' }),
    daemonJs: DAEMON_BUNDLE,
    networkName: config.networkName,
    networkSubnet: config.networkSubnet,
    enforceEgress: config.enforceEgress,
    pidsLimit: config.pidsLimit,
    maxOutputBytes: config.execOutputLimitBytes,
    daemonReadyMs: config.daemonReadySeconds * 1000,
    netnsPoolSize: config.netnsPool,
    egressDnsUpstream: config.egressDnsUpstream,
  };
}
