// Waiting for a daemon is pointless once its container has stopped (the
// image's entrypoint crashed, it was killed, it ran out of memory): this turns
// "did not connect within 60 s" into an immediate error that says why.
import { AppError } from '../common/errors.js';
import type { ContainerState } from './runtime/interface.js';

/** Settles like `work`, or rejects as soon as the container is seen not running. */
export async function unlessExited<T>(
  work: Promise<T>,
  inspect: () => Promise<ContainerState | null>,
  everyMs = 500,
): Promise<T> {
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {}); // the watch may win the race; `work` failing later is then nobody's business
  const watch = new Promise<never>((_, reject) => {
    const tick = async () => {
      const st = await inspect().catch(() => undefined); // engine hiccup: look again
      if (settled) return;
      if (st === null || (st && !st.running)) {
        const why = !st
          ? 'its container is gone'
          : st.oomKilled
            ? 'it ran out of memory (OOM-killed)'
            : `its main process exited with code ${st.exitCode}`;
        reject(
          new AppError('failed_precondition', `the sandbox stopped unexpectedly before its daemon connected: ${why}`, {
            hint: "check the image's entrypoint and the container's logs (`docker logs berth-<id>`); start the sandbox again once fixed",
            reason: 'SANDBOX_EXITED',
            recoverable: true,
          }),
        );
        return;
      }
      // eslint-disable-next-line no-restricted-globals -- wall clock: polls the Docker engine
      timer = setTimeout(() => void tick(), everyMs);
    };
    // eslint-disable-next-line no-restricted-globals -- wall clock: polls the Docker engine
    timer = setTimeout(() => void tick(), everyMs);
  });
  try {
    return await Promise.race([work, watch]);
  } finally {
    settled = true;
    clearTimeout(timer);
  }
}
