// `berth runner`: run a remote runner in the foreground on this Docker host.
// Its code is loaded only here, so other commands stay lean.
export async function run(): Promise<void> {
  const { startRunner } = await import('../../boot/runner.js');
  const runner = await startRunner();
  const stop = (signal: string) => {
    process.stderr.write(`berth runner: ${signal}, stopping (sandboxes keep running)\n`);
    void runner.stop();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await runner.done;
  } finally {
    await runner.stop();
  }
}
