// Your SSH keys (a setting of the person, not of the organization): the public
// keys that log you in to sandboxes of every organization you are in with
// `ssh -p PORT <sandbox>@host`. /api/users/me/ssh-keys: list, add, remove.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Confirm, Empty, ErrorNote, Loading, Snippet, Time, useAction, useData } from '../lib/ui.js';

export function SshKeys() {
  const list = useData(() => api('GET', '/users/me/ssh-keys'), []);
  const config = useData(() => api('GET', '/config'), []);
  const [f, setF] = useState({ name: '', publicKey: '' });
  const [removing, setRemoving] = useState(null);
  const act = useAction();
  const gateway = config.data?.ssh;
  const add = (e) => {
    e.preventDefault();
    act.run(async () => {
      const name = f.name.trim() ? { name: f.name.trim() } : {};
      await api('POST', '/users/me/ssh-keys', { publicKey: f.publicKey.trim(), ...name });
      setF({ name: '', publicKey: '' });
      list.reload();
    });
  };
  return html`<section aria-labelledby="ssh-keys-title">
    <p class="crumbs"><a href="/settings" data-route>Settings</a> /</p>
    <h1 id="ssh-keys-title">SSH keys</h1>
    <p class="muted">Your public keys log you in to the sandboxes of every organization you are a member of, as
      <code>ssh -p ${gateway?.port ?? 2222} SANDBOX@${gateway?.host ?? location.hostname}</code> (the sandbox's name or id).
      They belong to you, not to an API key.</p>
    <form class="card" onSubmit=${add} aria-label="Add an SSH key">
      <label>Public key<textarea rows="3" value=${f.publicKey} required spellcheck="false"
        onInput=${(e) => setF({ ...f, publicKey: e.currentTarget.value })}
        placeholder="ssh-ed25519 AAAA… you@laptop (the contents of ~/.ssh/id_ed25519.pub)"></textarea></label>
      <label>Key name (optional: the key's comment otherwise)
        <input value=${f.name} onInput=${(e) => setF({ ...f, name: e.currentTarget.value })} placeholder="laptop" /></label>
      <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
      <div class="actions"><button class="primary" type="submit" disabled=${act.busy}>Add key</button></div>
    </form>
    <${ErrorNote} error=${list.error} />
    ${
      !list.data
        ? list.error
          ? null
          : html`<${Loading} />`
        : !list.data.length
          ? html`<${Empty} title="No SSH keys yet">
            <p>Make one with <code>ssh-keygen -t ed25519</code>, then paste the contents of <code>~/.ssh/id_ed25519.pub</code> above.
              Or use an access token from a sandbox's SSH tab: it needs no key.</p>
            <${Snippet} label="Make a key" code="ssh-keygen -t ed25519" />
          <//>`
          : html`<div class="table-wrap"><table aria-label="SSH keys">
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Fingerprint</th>
              <th scope="col">Added</th><th scope="col">Last used</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.data.map(
              (k) => html`<tr key=${k.id}>
              <td>${k.name}</td><td class="mono">${k.type}</td><td class="mono wrap">${k.fingerprint}</td>
              <td><${Time} value=${k.createdAt} /></td><td><${Time} value=${k.lastUsedAt} /></td>
              <td><button class="danger" aria-label=${`Remove ${k.name}`} onClick=${() => setRemoving(k)}>
                Remove</button></td>
            </tr>`,
            )}</tbody>
          </table></div>`
    }
    <${Confirm} open=${!!removing} title=${`Remove SSH key ${removing?.name ?? ''}?`} action="Remove" danger
      message="It no longer logs in, and SSH sessions opened with it end."
      onConfirm=${async () => {
        await api('DELETE', `/users/me/ssh-keys/${encodeURIComponent(removing.id)}`);
        list.reload();
      }}
      onClose=${() => setRemoving(null)} />
  </section>`;
}
