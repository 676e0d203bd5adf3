// SSH tab: access tokens (the SSH gateway's Daytona-compatible API) with the
// command to copy, each revocable, and the login with the person's own key
// (`ssh -p PORT <sandbox>@host`, keys on the SSH keys page). The gateway's
// host and port come from GET /api/config; see docs/ssh.md.
import { html, useState } from '../lib/html.js';
import { api, q } from '../api.js';
import { Confirm, ErrorNote, Loading, Snippet, Time, useAction, useData } from '../lib/ui.js';

function Access({ access, onRevoke, busy }) {
  return html`<li class="card" data-access=${access.id}>
    <${Snippet} label="SSH command" code=${access.sshCommand} />
    <div class="actions">
      <span class="muted">Expires <${Time} value=${access.expiresAt} />. Anyone with the command can log in until then.</span>
      <button class="danger" disabled=${busy} onClick=${onRevoke}>Revoke access</button>
    </div>
  </li>`;
}

function OwnKey({ sandbox, gateway }) {
  const keys = useData(() => api('GET', '/users/me/ssh-keys'), []);
  const command = `ssh -p ${gateway.port} ${sandbox.name}@${gateway.host}`;
  const count = keys.data?.length;
  return html`<section aria-labelledby="ssh-own-key">
    <h3 id="ssh-own-key">With your own SSH key</h3>
    <${Snippet} label="SSH command with your key" code=${command} />
    <p class="muted">
      ${count === undefined ? '' : count ? `You have ${count} SSH key${count === 1 ? '' : 's'} registered. ` : 'You have no SSH key registered yet. '}
      Add or remove keys on your <a href="/settings/ssh-keys" data-route>SSH keys</a> page; the sandbox's id works in place of its name.
      The gateway's host key is <code>${gateway.hostKeyFingerprint}</code>.
    </p>
  </section>`;
}

export function Ssh({ sandbox }) {
  const [minutes, setMinutes] = useState('60');
  const [made, setMade] = useState([]);
  const [revokeAll, setRevokeAll] = useState(false);
  const [note, setNote] = useState('');
  const config = useData(() => api('GET', '/config'), []);
  const act = useAction();
  const base = `/sandbox/${encodeURIComponent(sandbox.id)}/ssh-access`;
  const create = (e) => {
    e.preventDefault();
    act.run(async () => {
      const a = await api('POST', `${base}${q({ expiresInMinutes: minutes })}`);
      setMade((m) => [a, ...m]);
      setNote('');
    });
  };
  const revoke = (a) =>
    act.run(async () => {
      await api('DELETE', `${base}${q({ token: a.token })}`);
      setMade((m) => m.filter((x) => x.id !== a.id));
      setNote('Access revoked: its command no longer logs in, and sessions opened with it have ended.');
    });
  const gateway = config.data?.ssh;
  if (!config.data) return html`<${ErrorNote} error=${config.error} /><${Loading} rows=${2} />`;
  if (!gateway) {
    return html`<div class="empty"><h3>SSH is off on this server</h3>
      <p>The SSH gateway listens when <code>BERTH_SSH_PORT</code> is set (2222 by default; 0 turns it off).</p></div>`;
  }
  return html`<div class="ssh">
    <section aria-labelledby="ssh-tokens">
      <h3 id="ssh-tokens">Access tokens</h3>
      <p class="muted">A token logs in to this sandbox with <code>ssh</code>, <code>scp</code> and <code>sftp</code>, with no key to
        set up. It is shown once: copy the command now.</p>
      <form class="inline-form" onSubmit=${create}>
        <label>Valid for (minutes)<input type="number" min="1" max="10080" value=${minutes}
          onInput=${(e) => setMinutes(e.currentTarget.value)} /></label>
        <button class="primary" type="submit" disabled=${act.busy}>Create SSH access</button>
        <button type="button" class="danger" disabled=${act.busy} onClick=${() => setRevokeAll(true)}>
          Revoke all access</button>
      </form>
      <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
      ${note ? html`<p role="status">${note}</p>` : null}
      ${
        made.length
          ? html`<ul class="access-list">
            ${made.map((a) => html`<${Access} key=${a.id} access=${a} busy=${act.busy} onRevoke=${() => revoke(a)} />`)}
          </ul>`
          : null
      }
    </section>
    <${OwnKey} sandbox=${sandbox} gateway=${gateway} />
    <${Confirm} open=${revokeAll} title="Revoke all SSH access?" action="Revoke all" danger
      message=${
        'Every access token of this sandbox stops working, including ones made elsewhere (the SDK, the CLI), ' +
        'and their open sessions end.'
      }
      onConfirm=${async () => {
        await api('DELETE', base);
        setMade([]);
        setNote('All access tokens of this sandbox are revoked.');
      }}
      onClose=${() => setRevokeAll(false)} />
  </div>`;
}
