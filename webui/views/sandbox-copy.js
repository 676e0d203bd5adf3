// Fork and snapshot of one sandbox (its filesystem committed; see docs/images.md):
// each asks for a name in a dialog. A fork opens when it is made; a snapshot
// is listed on the Snapshots page, where new sandboxes can be made from it.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { navigate } from '../lib/router.js';
import { Dialog, ErrorNote, useAction } from '../lib/ui.js';

/** Both need a container to commit: a started or a stopped sandbox. */
export const copyAllowed = (s) => s.state === 'started' || s.state === 'stopped';

export function ForkDialog({ sandbox, open, onClose }) {
  const [name, setName] = useState('');
  const act = useAction();
  const fork = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = name.trim() ? { name: name.trim() } : {};
      const f = await api('POST', `/sandbox/${encodeURIComponent(sandbox.id)}/fork`, body);
      setName('');
      onClose();
      navigate(`/sandboxes/${encodeURIComponent(f.id)}`);
    });
  };
  return html`<${Dialog} title=${`Fork ${sandbox.name}`} open=${open} onClose=${onClose}>
    <form onSubmit=${fork}>
      <p class="muted">A new sandbox with a copy of this one's files and its settings (env, labels, resources,
        network policy). Volumes stay shared; secrets are not copied.</p>
      <label>Name of the fork (optional)<input value=${name} onInput=${(e) => setName(e.currentTarget.value)}
        placeholder=${`${sandbox.name}-fork`} spellcheck="false" /></label>
      <${ErrorNote} error=${act.error} />
      <div class="actions">
        ${act.busy ? html`<span role="status" class="muted">Copying the files…</span>` : null}
        <button type="button" onClick=${onClose}>Cancel</button>
        <button class="primary" type="submit" disabled=${act.busy}>Fork</button>
      </div>
    </form>
  <//>`;
}

export function SnapshotDialog({ sandbox, open, onClose }) {
  const [name, setName] = useState('');
  const [made, setMade] = useState(null);
  const act = useAction();
  const close = () => {
    setMade(null);
    act.clear();
    onClose();
  };
  const snapshot = (e) => {
    e.preventDefault();
    act.run(async () => {
      await api('POST', `/sandbox/${encodeURIComponent(sandbox.id)}/snapshot`, { name: name.trim() });
      setMade(name.trim());
      setName('');
    });
  };
  return html`<${Dialog} title=${`Snapshot ${sandbox.name}`} open=${open} onClose=${close}>
    ${
      made
        ? html`<p role="status">Snapshot <strong>${made}</strong> is ready: new sandboxes can start from it.</p>
          <div class="actions">
            <a class="button" href="/snapshots" data-route onClick=${close}>Go to Snapshots</a>
            <button class="primary" onClick=${close}>Done</button>
          </div>`
        : html`<form onSubmit=${snapshot}>
          <p class="muted">Saves this sandbox's files as a snapshot of the organization (the sandbox pauses for the
            instant of the copy). Memory is not kept.</p>
          <label>Snapshot name<input value=${name} onInput=${(e) => setName(e.currentTarget.value)} required
            placeholder=${`${sandbox.name}-snapshot`} spellcheck="false" /></label>
          <${ErrorNote} error=${act.error} />
          <div class="actions">
            ${act.busy ? html`<span role="status" class="muted">Saving the files…</span>` : null}
            <button type="button" onClick=${close}>Cancel</button>
            <button class="primary" type="submit" disabled=${act.busy}>Save snapshot</button>
          </div>
        </form>`
    }
  <//>`;
}
