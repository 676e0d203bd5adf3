// The web UI's entry: signs in (an API key, or the one-time link `berth up`
// printed), then shows the pages. Everything goes through the public API.
import { stampStyleNonce } from './lib/nonce.js';
import { html, render, useEffect, useMemo, useState } from './lib/html.js';
import { api, currentOrganization, onSignedOut, prefetch, setOrganization } from './api.js';
import { interceptLinks, navigate, usePath } from './lib/router.js';
import { connectLive } from './live.js';
import { SignIn } from './views/sign-in.js';
import { Layout } from './views/layout.js';
import { FIRST_PAGE, Sandboxes } from './views/sandboxes.js';
import { SandboxPage } from './views/sandbox.js';
import { Snapshots } from './views/snapshots.js';
import { Volumes } from './views/volumes.js';
import { Keys } from './views/keys.js';
import { Members } from './views/members.js';
import { Usage } from './views/usage.js';
import { Audit } from './views/audit.js';
import { Settings } from './views/settings.js';
import { ConnectPage } from './views/connect.js';

stampStyleNonce();
const ORG_KEY = 'berth.organization';
setOrganization(localStorage.getItem(ORG_KEY) || null);

function Page({ path, session, live }) {
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case undefined:
    case 'sandboxes':
      return parts[1] ? html`<${SandboxPage} id=${decodeURIComponent(parts[1])} tab=${parts[2] ?? 'overview'} live=${live} />` : html`<${Sandboxes} live=${live} />`;
    case 'snapshots':
      return html`<${Snapshots} />`;
    case 'volumes':
      return html`<${Volumes} />`;
    case 'keys':
      return html`<${Keys} session=${session} />`;
    case 'members':
      return html`<${Members} session=${session} />`;
    case 'usage':
      return html`<${Usage} />`;
    case 'audit':
      return html`<${Audit} />`;
    case 'settings':
      return html`<${Settings} session=${session} />`;
    case 'connect':
      return html`<${ConnectPage} />`;
    default:
      return html`<h1>Not found</h1><p>No page at ${path}. <a href="/sandboxes" data-route>Go to Sandboxes</a>.</p>`;
  }
}

// Asked before the first render: one round trip less before the page shows.
const firstCheck = /^#signin=/.test(location.hash) ? null : api('GET', '/ui/session').catch((e) => e);
if (firstCheck && /^\/(sandboxes\/?)?$/.test(location.pathname)) prefetch(FIRST_PAGE);

function App() {
  const path = usePath();
  const [session, setSession] = useState(undefined);
  const [signInError, setSignInError] = useState(null);
  // One live connection per signed-in key and organization, made as the session is known (not an effect later).
  const live = useMemo(() => (session ? connectLive({ organizationId: currentOrganization() || undefined, onEnded: () => check() }) : null), [session?.keyId, session?.organizationId]);
  useEffect(() => () => live?.close(), [live]);

  const check = async (pending) => {
    try {
      const s = pending ? await pending.then((r) => (r instanceof Error ? Promise.reject(r) : r)) : await api('GET', '/ui/session');
      setSession(s.signedIn ? s : null);
    } catch (e) {
      // An organization the user left (or that was deleted): back to the key's own.
      if (e.status === 404 && currentOrganization()) {
        localStorage.removeItem(ORG_KEY);
        setOrganization(null);
        return check();
      }
      setSession(null);
      if (e.status !== 401) setSignInError(e);
    }
  };

  useEffect(() => {
    onSignedOut(() => setSession(null));
    const link = /^#signin=([\w-]+)$/.exec(location.hash)?.[1];
    if (!link) return void check(firstCheck);
    // Drop the one-time token from the address bar and history before using it.
    history.replaceState(null, '', location.pathname);
    api('POST', '/ui/session', { link })
      .then(setSession)
      .catch((e) => {
        setSignInError(e);
        setSession(null);
      });
  }, []);

  if (session === undefined) return html`<div class="boot" aria-busy="true">Loading Berth…</div>`;
  if (!session || path === '/sign-in') {
    return html`<${SignIn}
      error=${signInError}
      signedIn=${!!session}
      onSignedIn=${(s) => {
        setSignInError(null);
        setSession(s);
        navigate('/sandboxes', { replace: true });
      }}
    />`;
  }
  const switchOrganization = (id) => {
    localStorage.setItem(ORG_KEY, id);
    setOrganization(id);
    check();
    navigate('/sandboxes');
  };
  const signOut = async () => {
    try {
      await api('DELETE', '/ui/session');
    } finally {
      localStorage.removeItem(ORG_KEY);
      setOrganization(null);
      setSession(null);
      navigate('/sign-in', { replace: true });
    }
  };
  return html`<${Layout} path=${path} session=${session} onSwitch=${switchOrganization} onSignOut=${signOut}>
    <${Page} path=${path} session=${session} live=${live} key=${session.organizationId} />
  <//>`;
}

interceptLinks();
render(html`<${App} />`, document.getElementById('app'));
