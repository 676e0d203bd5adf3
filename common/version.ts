// Kept equal to package.json's version (a unit test checks it); the daemon
// bundle embeds it so the runner can tell a stale injected daemon.
export const BERTH_VERSION = '0.1.0';
