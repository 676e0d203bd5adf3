// Sign-in: the API key is sent once, in exchange for an HttpOnly session
// cookie; the page never stores it.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { ErrorNote } from '../lib/ui.js';

export function SignIn({ onSignedIn, error: initial }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  // An error from before this form (a used sign-in link) shows until the first try here.
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setTried(true);
    setError(null);
    try {
      const s = await api('POST', '/ui/session', { apiKey: key.trim() });
      setKey('');
      onSignedIn(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="sign-in">
    <form onSubmit=${submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title"><span class="logo" aria-hidden="true"></span>Berth</h1>
      <p class="muted">Sign in with an API key. <code>berth up</code> printed one on first start (also in <code>~/.berth/cli.json</code>), with a one-click sign-in link.</p>
      <label for="api-key">API key</label>
      <input id="api-key" type="password" autocomplete="off" spellcheck="false" required value=${key} onInput=${(e) => setKey(e.currentTarget.value)} placeholder="berth_…" />
      <${ErrorNote} error=${error ?? (tried ? null : initial)} />
      <button class="primary" type="submit" disabled=${busy || !key.trim()}>Sign in</button>
    </form>
  </main>`;
}
