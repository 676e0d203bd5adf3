// Registries: the organization's private Docker registries (/api/docker-registry).
// Pulls of an image that names a registry's host, and builds whose FROM names
// one, use its credentials. Passwords are write-only: set or replaced, never shown.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Confirm, Dialog, Empty, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';

const BLANK = { name: '', url: '', username: '', password: '', project: '' };

function Fields({ f, setF, editing }) {
  const field = (k) => ({ value: f[k], onInput: (e) => setF({ ...f, [k]: e.currentTarget.value }) });
  return html`<div class="form-grid">
    <label>Registry name<input ...${field('name')} required placeholder="team-registry" /></label>
    <label>Registry URL
      <input ...${field('url')} required placeholder="registry.example.com:5000" spellcheck="false" /></label>
    <label>Username<input ...${field('username')} required autocomplete="off" /></label>
    <label>${editing ? 'New password (empty: keep the current one)' : 'Password'}
      <input type="password" autocomplete="new-password" ...${field('password')} required=${!editing} /></label>
    <label class="span">Project (optional)<input ...${field('project')} /></label>
  </div>`;
}

function Edit({ registry, onClose, onSaved }) {
  const [f, setF] = useState({ ...BLANK, ...registry, password: '' });
  const act = useAction();
  const save = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = {};
      for (const k of ['name', 'url', 'username', 'project']) {
        if (f[k].trim() !== (registry[k] ?? '')) body[k] = f[k].trim();
      }
      if (f.password) body.password = f.password;
      await api('PATCH', `/docker-registry/${encodeURIComponent(registry.id)}`, body);
      onSaved();
      onClose();
    });
  };
  return html`<${Dialog} title=${`Edit registry ${registry.name}`} open=${true} onClose=${onClose} wide>
    <form onSubmit=${save}>
      <${Fields} f=${f} setF=${setF} editing />
      <${ErrorNote} error=${act.error} />
      <div class="actions"><button type="button" onClick=${onClose}>Cancel</button>
        <button class="primary" type="submit" disabled=${act.busy}>Save registry</button></div>
    </form>
  <//>`;
}

export function Registries() {
  const list = useData(() => api('GET', '/docker-registry'), []);
  const [f, setF] = useState(BLANK);
  const [editing, setEditing] = useState(null);
  const [removing, setRemoving] = useState(null);
  const act = useAction();
  const add = (e) => {
    e.preventDefault();
    act.run(async () => {
      const body = { name: f.name.trim(), url: f.url.trim(), username: f.username.trim(), password: f.password };
      await api('POST', '/docker-registry', f.project.trim() ? { ...body, project: f.project.trim() } : body);
      setF(BLANK);
      list.reload();
    });
  };
  return html`<section aria-labelledby="registries-title">
    <h1 id="registries-title">Registries</h1>
    <p class="muted">Private registries of this organization: an image that names a registry's host
      (<code>registry.example.com:5000/team/app:1</code>) is pulled with its credentials, and builds get every
      registry's. Passwords are stored encrypted and never shown again.</p>
    <form class="card" onSubmit=${add} aria-label="Add a registry">
      <${Fields} f=${f} setF=${setF} />
      <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
      <div class="actions"><button class="primary" type="submit" disabled=${act.busy}>Add registry</button></div>
    </form>
    <${ErrorNote} error=${list.error} />
    ${
      !list.data
        ? list.error
          ? null
          : html`<${Loading} />`
        : !list.data.length
          ? html`<${Empty} title="No registries yet">
            <p>Public images need none. Add one above to pull or build from a registry that asks for a password.</p>
          <//>`
          : html`<div class="table-wrap"><table aria-label="Registries">
            <thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Username</th>
              <th scope="col">Project</th>
              <th scope="col">Updated</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.data.map(
              (r) => html`<tr key=${r.id}>
              <td>${r.name}</td><td class="mono">${r.url}</td><td>${r.username}</td>
              <td>${r.project || html`<span class="muted">—</span>`}</td>
              <td><${Time} value=${r.updatedAt} /></td>
              <td class="row-actions">
                <button aria-label=${`Edit ${r.name}`} onClick=${() => setEditing(r)}>Edit</button>
                <button class="danger" aria-label=${`Remove ${r.name}`} onClick=${() => setRemoving(r)}>Remove</button>
              </td>
            </tr>`,
            )}</tbody>
          </table></div>`
    }
    ${editing ? html`<${Edit} registry=${editing} onClose=${() => setEditing(null)} onSaved=${list.reload} />` : null}
    <${Confirm} open=${!!removing} title=${`Remove registry ${removing?.name ?? ''}?`} action="Remove" danger
      message="Pulls and builds no longer get its credentials; images already on the host stay."
      onConfirm=${async () => {
        await api('DELETE', `/docker-registry/${encodeURIComponent(removing.id)}`);
        list.reload();
      }}
      onClose=${() => setRemoving(null)} />
  </section>`;
}
