// Ports tab: the ports listening in the sandbox, each with its preview link
// (opens in a new tab) and a signed link to copy (works without a key).
// The UI's session cookie is never sent to preview hosts, so the link carries
// the sandbox's preview token once: the preview proxy takes it off before the
// app sees the request and answers with its own cookie for that host, which
// the browser then sends as it navigates (docs/previews.md).
import { html, useState } from '../lib/html.js';
import { api, q, tb } from '../api.js';
import { CopyButton, ErrorNote, Loading, useAction, useData } from '../lib/ui.js';

const TOKEN_QUERY = 'DAYTONA_SANDBOX_AUTH_KEY';

/** The preview URL a browser can open: with the token unless the sandbox is public. */
export function openableUrl({ url, token }, isPublic) {
  if (isPublic || !token) return url;
  const u = new URL(url);
  u.searchParams.set(TOKEN_QUERY, token);
  return u.toString();
}

function Port({ sandbox, port }) {
  const link = useData(
    () => api('GET', `/sandbox/${encodeURIComponent(sandbox.id)}/ports/${port}/preview-url`),
    [sandbox.id, port],
  );
  const [signed, setSigned] = useState(null);
  const [minutes, setMinutes] = useState('60');
  const act = useAction();
  return html`<li class="port">
    <strong>Port ${port}</strong>
    ${link.data ? html`<a href=${openableUrl(link.data, sandbox.public)} target="_blank" rel="noopener noreferrer" aria-label=${`Open preview of port ${port}`}>${link.data.url}</a>` : null}
    <span class="signed">
      <label>Signed link valid for (minutes)<input type="number" min="1" max="1440" value=${minutes} onInput=${(e) => setMinutes(e.currentTarget.value)} /></label>
      <button aria-label=${`Make signed link for port ${port}`} onClick=${() => act.run(async () => setSigned(await api('GET', `/sandbox/${encodeURIComponent(sandbox.id)}/ports/${port}/signed-preview-url${q({ expiresInSeconds: Math.round(Number(minutes) * 60) })}`)))}>Make signed link</button>
      ${
        signed
          ? html`<code class="ellipsis">${signed.url}</code><${CopyButton} text=${signed.url} label=${`Copy signed link for port ${port}`} />
        <span class="muted">Works without a key until it expires: send it to whoever should see the app.</span>`
          : null
      }
    </span>
    <${ErrorNote} error=${link.error || act.error} />
  </li>`;
}

export function Ports({ sandbox }) {
  const started = sandbox.state === 'started';
  const ports = useData(
    () => (started ? api('GET', tb(sandbox.id, '/port')) : Promise.resolve({ ports: [] })),
    [sandbox.id, started],
  );
  const [extra, setExtra] = useState('');
  const [shown, setShown] = useState([]);
  const list = [...new Set([...(ports.data?.ports ?? []), ...shown])].sort((a, b) => a - b);
  return html`<div class="ports">
    <form class="inline-form" onSubmit=${(e) => {
      e.preventDefault();
      const p = Number(extra);
      if (p >= 1 && p <= 65535) setShown([...shown, p]);
      setExtra('');
    }}>
      <label>Preview another port<input type="number" min="1" max="65535" value=${extra} onInput=${(e) => setExtra(e.currentTarget.value)} /></label>
      <button type="submit">Add</button>
      <button type="button" onClick=${() => ports.reload()}>Refresh</button>
    </form>
    <${ErrorNote} error=${ports.error} />
    ${!ports.data ? html`<${Loading} />` : list.length ? html`<ul class="port-list">${list.map((p) => html`<${Port} key=${p} sandbox=${sandbox} port=${p} />`)}</ul>` : html`<p class="muted">${started ? 'Nothing listens yet. Start a server in the sandbox (e.g. python3 -m http.server 8000 in the Terminal), then Refresh.' : 'Start the sandbox to see its ports.'}</p>`}
  </div>`;
}
