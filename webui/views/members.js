// Members: roles in this organization and invitations (the invitee gets a
// one-time link; no mail server is assumed, so the link is shown to copy).
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Confirm, ErrorNote, Loading, Snippet, Time, useAction, useData } from '../lib/ui.js';

const ROLES = ['owner', 'admin', 'member'];

export function Members({ session }) {
  const org = encodeURIComponent(session.organizationId);
  const members = useData(() => api('GET', `/organizations/${org}/users`), [org]);
  const invitations = useData(
    () => api('GET', `/organizations/${org}/invitations`).catch((e) => (e.status === 403 ? [] : Promise.reject(e))),
    [org],
  );
  const [invite, setInvite] = useState({ email: '', role: 'member' });
  const [link, setLink] = useState(null);
  const [removing, setRemoving] = useState(null);
  const act = useAction();
  const canManage = session.role !== 'member';
  return html`<section aria-labelledby="members-title">
    <h1 id="members-title">Members</h1>
    <${ErrorNote} error=${act.error || members.error || invitations.error} onDismiss=${act.clear} />
    ${
      !members.data
        ? html`<${Loading} />`
        : html`<div class="table-wrap"><table aria-label="Members">
          <thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${members.data.map(
            (m) => html`<tr key=${m.userId}>
            <td>${m.email}${m.userId === session.userId ? html` <span class="muted">(you)</span>` : null}</td>
            <td>${m.name}</td>
            <td>${
              canManage && m.userId !== session.userId
                ? html`<select aria-label=${`Role of ${m.email}`} value=${m.role} onChange=${(e) => {
                    const role = e.currentTarget.value;
                    act.run(async () => {
                      await api('POST', `/organizations/${org}/users/${encodeURIComponent(m.userId)}/access`, { role });
                      members.reload();
                    });
                  }}>${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select>`
                : m.role
            }</td>
            <td><${Time} value=${m.createdAt} /></td>
            <td>${canManage && m.userId !== session.userId ? html`<button class="danger" aria-label=${`Remove ${m.email}`} onClick=${() => setRemoving(m)}>Remove</button>` : null}</td>
          </tr>`,
          )}</tbody>
        </table></div>`
    }
    <h2>Invitations</h2>
    ${
      canManage
        ? html`<form class="inline-form" onSubmit=${(e) => {
            e.preventDefault();
            act.run(async () => {
              const r = await api('POST', `/organizations/${org}/invitations`, invite);
              setLink(r.link);
              setInvite({ email: '', role: 'member' });
              invitations.reload();
            });
          }}>
          <label>Email<input type="email" value=${invite.email} onInput=${(e) => setInvite({ ...invite, email: e.currentTarget.value })} required /></label>
          <label>Role<select value=${invite.role} onChange=${(e) => setInvite({ ...invite, role: e.currentTarget.value })}>${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select></label>
          <button class="primary" type="submit" disabled=${act.busy}>Invite</button>
        </form>`
        : html`<p class="muted">Owners and admins invite members.</p>`
    }
    ${link ? html`<p>Send this one-time link to the invitee (POST it to accept; it gives them their own API key):</p><${Snippet} label="Invitation link" code=${link} />` : null}
    ${
      invitations.data?.length
        ? html`<div class="table-wrap"><table aria-label="Invitations">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${invitations.data.map(
            (
              i,
            ) => html`<tr key=${i.id}><td>${i.email}</td><td>${i.role}</td><td>${i.status}</td><td><${Time} value=${i.expiresAt} /></td>
            <td>${
              i.status === 'pending' && canManage
                ? html`<button aria-label=${`Cancel invitation of ${i.email}`} onClick=${() =>
                    act.run(async () => {
                      await api('POST', `/organizations/${org}/invitations/${encodeURIComponent(i.id)}/cancel`);
                      invitations.reload();
                    })}>Cancel</button>`
                : null
            }</td></tr>`,
          )}</tbody>
        </table></div>`
        : invitations.data
          ? html`<p class="muted">No invitations.</p>`
          : null
    }
    <${Confirm} open=${!!removing} title=${`Remove ${removing?.email ?? ''}?`} message="Their keys stop working in this organization at once." action="Remove" danger
      onConfirm=${async () => {
        await api('DELETE', `/organizations/${org}/users/${encodeURIComponent(removing.userId)}`);
        members.reload();
      }} onClose=${() => setRemoving(null)} />
  </section>`;
}
