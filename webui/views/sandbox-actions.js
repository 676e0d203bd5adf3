// Lifecycle actions on sandboxes, shared by the table (bulk) and the sandbox page.
import { api } from '../api.js';

export const ACTIONS = {
  start: { label: 'Start', run: (id) => api('POST', `/sandbox/${encodeURIComponent(id)}/start`), allowed: (s) => ['stopped', 'archived', 'error'].includes(s.state) },
  stop: { label: 'Stop', run: (id) => api('POST', `/sandbox/${encodeURIComponent(id)}/stop`), allowed: (s) => s.state === 'started' },
  archive: { label: 'Archive', run: (id) => api('POST', `/sandbox/${encodeURIComponent(id)}/archive`), allowed: (s) => s.state === 'stopped' },
  delete: { label: 'Delete', danger: true, run: (id) => api('DELETE', `/sandbox/${encodeURIComponent(id)}`), allowed: () => true },
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
    const err = new Error(`${ACTIONS[action].label} failed for ${failures.map((f) => f.sandbox.name).join(', ')}: ${first.error.message}`);
    err.hint = first.error.hint;
    throw err;
  }
}
