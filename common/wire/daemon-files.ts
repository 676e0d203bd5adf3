// File names inside the daemon folder (/.berth/bin) that the runner writes and
// the daemon's loader reads. Kept apart from the wire schemas so the loader
// stays a few lines of JavaScript.
export const DAEMON_FILES = {
  /** The loader: the container's entrypoint script. */
  entry: 'daemon.js',
  /** The daemon bundle the loader compiles and starts. */
  main: 'daemon-main.cjs',
  /** V8's code cache for `main`, written by the runner with the same Node binary. */
  codeCache: 'daemon-main.cache',
} as const;
