// Settings: the organization's egress default for new sandboxes, and its
// secrets (values are write-only: set or replaced, never shown).
import { html, useEffect, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Confirm, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';

function Egress({ session }) {
  const org = encodeURIComponent(session.organizationId);
  const d = useData(() => api('GET', `/organizations/${org}/defaults`), [org]);
  const [f, setF] = useState(null);
  const act = useAction();
  const [saved, setSaved] = useState('');
  useEffect(
    () =>
      d.data &&
      setF({
        mode: d.data.networkBlockAll ? 'block' : d.data.networkAllowList?.length ? 'allow' : 'open',
        allow: (d.data.networkAllowList ?? []).join(','),
        domains: (d.data.domainAllowList ?? []).join(','),
      }),
    [d.data],
  );
  if (!f) return html`<${ErrorNote} error=${d.error} /><${Loading} />`;
  const save = (e) => {
    e.preventDefault();
    act.run(async () => {
      await api('PUT', `/organizations/${org}/defaults`, {
        networkBlockAll: f.mode === 'block' ? true : null,
        networkAllowList: f.mode === 'allow' && f.allow.trim() ? f.allow.trim() : null,
        domainAllowList: f.domains.trim() ? f.domains.trim() : null,
      });
      setSaved('Saved');
      d.reload();
    });
  };
  return html`<form class="card" onSubmit=${save} aria-label="Egress default">
    <h2>Egress default for new sandboxes</h2>
    <fieldset>
      <legend>Outbound network</legend>
      <label class="check"><input type="radio" name="egress" checked=${f.mode === 'open'} onChange=${() => setF({ ...f, mode: 'open' })} /> Internet allowed (host and private ranges stay blocked)</label>
      <label class="check"><input type="radio" name="egress" checked=${f.mode === 'allow'} onChange=${() => setF({ ...f, mode: 'allow' })} /> Only these CIDRs</label>
      ${f.mode === 'allow' ? html`<label>Allowed CIDRs<input value=${f.allow} onInput=${(e) => setF({ ...f, allow: e.currentTarget.value })} placeholder="203.0.113.0/24,8.8.8.8/32" /></label>` : null}
      <label class="check"><input type="radio" name="egress" checked=${f.mode === 'block'} onChange=${() => setF({ ...f, mode: 'block' })} /> Block all</label>
    </fieldset>
    <label>Allowed domains (comma-separated; empty = no domain filter)<input value=${f.domains} onInput=${(e) => setF({ ...f, domains: e.currentTarget.value })} placeholder="pypi.org,*.pythonhosted.org" /></label>
    <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
    <div class="actions"><span role="status" class="muted">${saved}</span><button class="primary" type="submit" disabled=${act.busy}>Save egress default</button></div>
  </form>`;
}

function Secrets() {
  const list = useData(() => api('GET', '/secret'), []);
  const [f, setF] = useState({ name: '', value: '', description: '' });
  const [replacing, setReplacing] = useState(null);
  const [value, setValue] = useState('');
  const [deleting, setDeleting] = useState(null);
  const act = useAction();
  const create = (e) => {
    e.preventDefault();
    act.run(async () => {
      await api('POST', '/secret', {
        name: f.name.trim(),
        value: f.value,
        ...(f.description.trim() ? { description: f.description.trim() } : {}),
      });
      setF({ name: '', value: '', description: '' });
      list.reload();
    });
  };
  return html`<div class="card">
    <h2>Secrets</h2>
    <p class="muted">Values are write-only: stored encrypted, injected into sandboxes that name them, never shown again.</p>
    <form class="inline-form" onSubmit=${create} aria-label="Add a secret">
      <label>Secret name<input value=${f.name} onInput=${(e) => setF({ ...f, name: e.currentTarget.value })} required placeholder="OPENAI_KEY" /></label>
      <label>Value<input type="password" autocomplete="new-password" value=${f.value} onInput=${(e) => setF({ ...f, value: e.currentTarget.value })} required /></label>
      <label>Description<input value=${f.description} onInput=${(e) => setF({ ...f, description: e.currentTarget.value })} /></label>
      <button class="primary" type="submit" disabled=${act.busy}>Add secret</button>
    </form>
    <${ErrorNote} error=${act.error || list.error} onDismiss=${act.clear} />
    ${
      !list.data
        ? list.error
          ? null
          : html`<${Loading} />`
        : !list.data.length
          ? html`<p class="muted">No secrets yet.</p>`
          : html`<table aria-label="Secrets"><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Updated</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${list.data.map(
              (
                s,
              ) => html`<tr key=${s.id}><td class="mono">${s.name}</td><td>${s.description ?? ''}</td><td><${Time} value=${s.updatedAt} /></td>
              <td class="row-actions">
                ${
                  replacing === s.id
                    ? html`<form class="inline-form" onSubmit=${(e) => {
                        e.preventDefault();
                        act.run(async () => {
                          await api('PATCH', `/secret/${encodeURIComponent(s.id)}`, { value });
                          setReplacing(null);
                          setValue('');
                          list.reload();
                        });
                      }}>
                      <label class="visually-hidden" for=${`v-${s.id}`}>New value of ${s.name}</label><input id=${`v-${s.id}`} type="password" autocomplete="new-password" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} required />
                      <button type="submit">Save</button><button type="button" onClick=${() => setReplacing(null)}>Cancel</button></form>`
                    : html`<button aria-label=${`Replace value of ${s.name}`} onClick=${() => {
                        setValue('');
                        setReplacing(s.id);
                      }}>Replace value</button>`
                }
                <button class="danger" aria-label=${`Delete secret ${s.name}`} onClick=${() => setDeleting(s)}>Delete</button>
              </td></tr>`,
            )}</tbody></table>`
    }
    <${Confirm} open=${!!deleting} title=${`Delete secret ${deleting?.name ?? ''}?`} message="Sandboxes that use it no longer receive it." action="Delete" danger
      onConfirm=${async () => {
        await api('DELETE', `/secret/${encodeURIComponent(deleting.id)}`);
        list.reload();
      }} onClose=${() => setDeleting(null)} />
  </div>`;
}

export const Settings = ({ session }) => html`<section aria-labelledby="settings-title">
  <h1 id="settings-title">Settings</h1>
  <${Egress} session=${session} />
  <${Secrets} />
  <div class="card">
    <h2>Your SSH keys</h2>
    <p>Public keys that log you in to sandboxes with plain <code>ssh</code> belong to you, not to this organization:
      <a href="/settings/ssh-keys" data-route>manage your SSH keys</a>.</p>
  </div>
</section>`;
