// Ports tab: the ports listening in the sandbox, each with its preview link
// (opens in a new tab) and a signed link to copy (works without a key).
// The UI's session cookie is never sent to preview hosts, and the sandbox's
// long-lived preview token must not end up in a URL (history, address bar,
// logs), so opening a private sandbox's preview asks for a signed URL on each
// click: the preview proxy admits it and answers with its own cookie for that
// host, which the browser then sends as it navigates (docs/previews.md).
import { html, useState } from '../lib/html.js';
import { api, q, tb } from '../api.js';
import { CopyButton, ErrorNote, Loading, useAction, useData } from '../lib/ui.js';

// The tab lands on the signed host, which admits requests only while the signed URL is
// valid (its cookie ends then too), so this is how long the opened app keeps working,
// not just how long the link may be clicked: an hour, then "Open" again makes a fresh one.
const OPEN_LINK_SECONDS = 3600;

const signedUrl = (sandbox, port, expiresInSeconds) =>
  api('GET', `/sandbox/${encodeURIComponent(sandbox.id)}/ports/${port}/signed-preview-url${q({ expiresInSeconds })}`);

/**
 * Opens a private preview through a fresh signed URL. The tab is opened at the click
 * (a window.open after an await counts as a popup and is blocked), blank and
 * same-origin, so we can cut its opener (noopener) and send it on once the URL arrives;
 * the UI's no-referrer policy keeps the UI's address from the app.
 */
async function openSigned(sandbox, port) {
  const tab = window.open('', '_blank');
  if (!tab) throw new Error('The browser blocked the new tab: allow pop-ups for this site, then click again.');
  tab.opener = null;
  try {
    tab.location.replace((await signedUrl(sandbox, port, OPEN_LINK_SECONDS)).url);
  } catch (e) {
    tab.close();
    throw e;
  }
}

function Port({ sandbox, port }) {
  // Only the URL is kept: the preview token the route also answers with stays out of the page.
  const link = useData(async () => {
    const r = await api('GET', `/sandbox/${encodeURIComponent(sandbox.id)}/ports/${port}/preview-url`);
    return { url: r.url };
  }, [sandbox.id, port]);
  const [signed, setSigned] = useState(null);
  const [minutes, setMinutes] = useState('60');
  const act = useAction();
  const open = (e) => {
    if (sandbox.public) return;
    e.preventDefault();
    act.run(() => openSigned(sandbox, port));
  };
  return html`<li class="port">
    <strong>Port ${port}</strong>
    ${link.data ? html`<a href=${link.data.url} target="_blank" rel="noopener noreferrer" aria-label=${`Open preview of port ${port}`} onClick=${open}>${link.data.url}</a>` : null}
    <span class="signed">
      <label>Signed link valid for (minutes)<input type="number" min="1" max="1440" value=${minutes} onInput=${(e) => setMinutes(e.currentTarget.value)} /></label>
      <button aria-label=${`Make signed link for port ${port}`} onClick=${() => act.run(async () => setSigned(await signedUrl(sandbox, port, Math.round(Number(minutes) * 60))))}>Make signed link</button>
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
