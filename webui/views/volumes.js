// Volumes: persistent folders sandboxes mount; create and delete.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Badge, Confirm, Empty, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';

export function Volumes() {
  const list = useData(() => api('GET', '/volumes'), []);
  const [name, setName] = useState('');
  const [deleting, setDeleting] = useState(null);
  const act = useAction();
  const create = (e) => {
    e.preventDefault();
    act.run(async () => {
      await api('POST', '/volumes', { name: name.trim() });
      setName('');
      list.reload();
    });
  };
  return html`<section aria-labelledby="volumes-title">
    <h1 id="volumes-title">Volumes</h1>
    <form class="inline-form" onSubmit=${create}>
      <label>Volume name<input value=${name} onInput=${(e) => setName(e.currentTarget.value)} required placeholder="e.g. datasets" /></label>
      <button class="primary" type="submit" disabled=${act.busy}>Create volume</button>
    </form>
    <${ErrorNote} error=${act.error || list.error} onDismiss=${act.clear} />
    ${
      !list.data
        ? html`<${Loading} />`
        : !list.data.length
          ? html`<${Empty} title="No volumes yet"><p>Create one above, then mount it when creating a sandbox with the SDK: <code>volumes: [{ volumeId, mountPath: '/data' }]</code>.</p><//>`
          : html`<div class="table-wrap"><table aria-label="Volumes">
            <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.data.map(
              (v) => html`<tr key=${v.id}>
              <td>${v.name}</td><td><${Badge} state=${v.state} /></td><td><${Time} value=${v.createdAt} /></td><td><${Time} value=${v.lastUsedAt} /></td>
              <td><button class="danger" aria-label=${`Delete ${v.name}`} onClick=${() => setDeleting(v)}>Delete</button></td>
            </tr>`,
            )}</tbody>
          </table></div>`
    }
    <${Confirm} open=${!!deleting} title=${`Delete volume ${deleting?.name ?? ''}?`} message="Its files are deleted for good." action="Delete" danger
      onConfirm=${async () => {
        await api('DELETE', `/volumes/${encodeURIComponent(deleting.id)}`);
        list.reload();
      }} onClose=${() => setDeleting(null)} />
  </section>`;
}
