// `berth serve` (and the last step of `berth up`): run the server in the foreground.
import { bootServer } from '../../boot/server.js';
import type { ConfigInput } from '../../common/config.js';

export async function serve(opts: { port?: string; host?: string; home?: string }): Promise<void> {
  const config: ConfigInput = {};
  if (opts.port !== undefined) config.port = opts.port;
  if (opts.host !== undefined) config.host = opts.host;
  if (opts.home !== undefined) config.home = opts.home;
  if (opts.home !== undefined) process.env.BERTH_HOME = opts.home;
  const server = await bootServer({ config });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`berth: ${signal}, shutting down (sandboxes keep running)\n`);
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await new Promise(() => {});
}
