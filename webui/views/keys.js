// API keys: create with permission checkboxes (the value is shown once, with
// copy), list, revoke. A key never holds more than its creator.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Confirm, Dialog, Empty, ErrorNote, Loading, Snippet, Time, useAction, useData } from '../lib/ui.js';

export const PERMISSIONS = [
  'write:sandboxes',
  'delete:sandboxes',
  'write:snapshots',
  'delete:snapshots',
  'read:volumes',
  'write:volumes',
  'delete:volumes',
  'write:registries',
  'delete:registries',
  'read:audit_logs',
  'write:secrets',
  'delete:secrets',
  'manage:organization',
];

export function Keys({ session }) {
  const list = useData(() => api('GET', '/api-keys'), []);
  const [name, setName] = useState('');
  const [perms, setPerms] = useState(new Set(['write:sandboxes', 'delete:sandboxes']));
  const [created, setCreated] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const act = useAction();
  const create = (e) => {
    e.preventDefault();
    act.run(async () => {
      setCreated(await api('POST', '/api-keys', { name: name.trim(), permissions: [...perms] }));
      setName('');
      list.reload();
    });
  };
  const held = new Set(session.permissions);
  return html`<section aria-labelledby="keys-title">
    <h1 id="keys-title">API keys</h1>
    <form class="card" onSubmit=${create} aria-label="Create an API key">
      <label>Key name<input value=${name} onInput=${(e) => setName(e.currentTarget.value)} required placeholder="e.g. ci-runner" /></label>
      <fieldset class="perms">
        <legend>Permissions (reading sandboxes needs none)</legend>
        ${PERMISSIONS.map(
          (p) =>
            html`<label class="check"><input type="checkbox" disabled=${!held.has(p)} checked=${perms.has(p)} onChange=${(
              e,
            ) => {
              const n = new Set(perms);
              if (e.currentTarget.checked) n.add(p);
              else n.delete(p);
              setPerms(n);
            }} /> ${p}</label>`,
        )}
      </fieldset>
      <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
      <button class="primary" type="submit" disabled=${act.busy}>Create key</button>
    </form>
    <${ErrorNote} error=${list.error} />
    ${
      !list.data
        ? html`<${Loading} />`
        : !list.data.length
          ? html`<${Empty} title="No API keys"><p>Create one above for an agent, CI or the SDK.</p><//>`
          : html`<div class="table-wrap"><table aria-label="API keys">
            <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Permissions</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.data.map(
              (k) => html`<tr key=${k.id}>
              <td>${k.name}${k.id === session.keyId ? html` <span class="muted">(this session)</span>` : null}</td>
              <td class="mono">${k.prefix}…</td>
              <td class="perm-list">${k.permissions.length ? k.permissions.join(', ') : html`<span class="muted">read-only</span>`}</td>
              <td><${Time} value=${k.createdAt} /></td><td><${Time} value=${k.lastUsedAt} /></td><td>${k.expiresAt ? html`<${Time} value=${k.expiresAt} />` : 'never'}</td>
              <td><button class="danger" aria-label=${`Revoke ${k.name}`} onClick=${() => setRevoking(k)}>Revoke</button></td>
            </tr>`,
            )}</tbody>
          </table></div>`
    }
    <${Dialog} title="Your new API key" open=${!!created} onClose=${() => setCreated(null)}>
      <p>Copy it now: it is shown only once.</p>
      ${created ? html`<${Snippet} label="API key" code=${created.value} />` : null}
      <div class="actions"><button class="primary" onClick=${() => setCreated(null)}>Done</button></div>
    <//>
    <${Confirm} open=${!!revoking} title=${`Revoke ${revoking?.name ?? ''}?`}
      message=${revoking?.id === session.keyId ? 'This is the key of your session: revoking it signs you out everywhere it is used.' : 'Everything using this key stops working at once.'}
      action="Revoke" danger onConfirm=${async () => {
        await api('DELETE', `/api-keys/${encodeURIComponent(revoking.name)}`);
        list.reload();
      }} onClose=${() => setRevoking(null)} />
  </section>`;
}
