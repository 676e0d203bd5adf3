// SSH tab: creates an access token (the SSH gateway's Daytona-compatible API)
// and shows the command to copy; revokes it.
import { html, useState } from '../lib/html.js';
import { api, q } from '../api.js';
import { ErrorNote, Snippet, Time, useAction } from '../lib/ui.js';

export function Ssh({ sandbox }) {
  const [minutes, setMinutes] = useState('60');
  const [access, setAccess] = useState(null);
  const act = useAction();
  const base = `/sandbox/${encodeURIComponent(sandbox.id)}/ssh-access`;
  return html`<div class="ssh">
    <form class="inline-form" onSubmit=${(e) => { e.preventDefault(); act.run(async () => setAccess(await api('POST', `${base}${q({ expiresInMinutes: minutes })}`))); }}>
      <label>Valid for (minutes)<input type="number" min="1" max="1440" value=${minutes} onInput=${(e) => setMinutes(e.currentTarget.value)} /></label>
      <button class="primary" type="submit" disabled=${act.busy}>Create SSH access</button>
    </form>
    <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
    ${access
      ? html`<p>Expires <${Time} value=${access.expiresAt} />.</p>
        <${Snippet} label="SSH command" code=${access.sshCommand} />
        <button class="danger" onClick=${() => act.run(async () => { await api('DELETE', `${base}${q({ token: access.token })}`); setAccess(null); })}>Revoke access</button>`
      : html`<p class="muted">Creates a token for <code>ssh</code>, <code>scp</code> and <code>sftp</code> into this sandbox; anyone with the command can log in until it expires or is revoked.</p>`}
  </div>`;
}
