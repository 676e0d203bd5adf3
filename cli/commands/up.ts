// `berth up`: everything a fresh Debian host needs, then `berth serve`.
import { loadConfig } from '../../common/config.js';
import { ensureDocker } from '../setup/docker.js';
import { ensureBaseImage } from '../setup/image.js';
import { ensureGvisor } from '../setup/gvisor.js';
import { step } from '../setup/run.js';
import { serve } from './serve.js';

export async function setup(): Promise<void> {
  const config = loadConfig();
  step('checking the Docker engine');
  await ensureDocker(config.dockerSocket, config.home);
  step(`checking the sandbox image ${config.defaultImage}`);
  await ensureBaseImage(config.defaultImage);
  // Optional stronger isolation (runtime: "gvisor"); never fails the setup.
  await ensureGvisor(config.defaultImage).catch((e: Error) => step(`gVisor: skipped (${e.message})`));
}

export async function up(opts: { port?: string; host?: string; home?: string }): Promise<void> {
  if (opts.home) process.env.BERTH_HOME = opts.home;
  await setup();
  step('starting berth serve');
  await serve(opts);
}
