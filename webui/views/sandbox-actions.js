// Lifecycle actions on sandboxes, shared by the table (bulk) and the sandbox page.
// Fork and snapshot take a name, so they are on the sandbox page only (sandbox-copy.js).
import { api } from '../api.js';

const post = (id, verb) => api('POST', `/sandbox/${encodeURIComponent(id)}/${verb}`);

export const ACTIONS = {
  // Start also resumes a paused sandbox (the same processes, as they were).
  start: {
    label: 'Start',
    run: (id) => post(id, 'start'),
    allowed: (s) => ['stopped', 'archived', 'error', 'paused'].includes(s.state),
  },
  stop: { label: 'Stop', run: (id) => post(id, 'stop'), allowed: (s) => ['started', 'paused'].includes(s.state) },
  pause: { label: 'Pause', run: (id) => post(id, 'pause'), allowed: (s) => s.state === 'started' },
  archive: { label: 'Archive', run: (id) => post(id, 'archive'), allowed: (s) => s.state === 'stopped' },
  delete: {
    label: 'Delete',
    danger: true,
    run: (id) => api('DELETE', `/sandbox/${encodeURIComponent(id)}`),
    allowed: () => true,
  },
};

/** Runs `action` on every sandbox; collects failures (the API's message and hint) instead of stopping at the first. */
export async function runOnAll(action, sandboxes) {
  const failures = [];
  await Promise.all(
    sandboxes.map(async (s) => {
      try {
        await ACTIONS[action].run(s.id);
      } catch (e) {
        failures.push({ sandbox: s, error: e });
      }
    }),
  );
  if (failures.length) {
    const first = failures[0];
    const names = failures.map((f) => f.sandbox.name).join(', ');
    const err = new Error(`${ACTIONS[action].label} failed for ${names}: ${first.error.message}`);
    err.hint = first.error.hint;
    throw err;
  }
}
