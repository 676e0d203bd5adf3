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
import { ErrorNote, Loading } from './lib/ui.js';
import { ConnectPage } from './views/connect.js';

stampStyleNonce();
const ORG_KEY = 'berth.organization';
setOrganization(localStorage.getItem(ORG_KEY) || null);

// Pages other than Sandboxes are chunks of their own: the first load parses only what it shows,
// and the rest is fetched while the browser is idle, so moving between pages does not wait.
const LAZY = {
  sandbox: () => import('./views/sandbox.js').then((m) => m.SandboxPage),
  snapshots: () => import('./views/snapshots.js').then((m) => m.Snapshots),
  volumes: () => import('./views/volumes.js').then((m) => m.Volumes),
  keys: () => import('./views/keys.js').then((m) => m.Keys),
  members: () => import('./views/members.js').then((m) => m.Members),
  usage: () => import('./views/usage.js').then((m) => m.Usage),
  audit: () => import('./views/audit.js').then((m) => m.Audit),
  settings: () => import('./views/settings.js').then((m) => m.Settings),
  registries: () => import('./views/registries.js').then((m) => m.Registries),
  sshKeys: () => import('./views/ssh-keys.js').then((m) => m.SshKeys),
};
const loaded = {};

/** Loads a page's chunk; a request cut short (Chromium drops them when the host's network changes) is tried again. */
async function load(name, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      return (loaded[name] = await LAZY[name]());
    } catch (e) {
      if (i >= tries) throw e;
      await new Promise((r) => setTimeout(r, 400 * i));
    }
  }
}

function Lazy({ name, ...props }) {
  const [, ready] = useState(0);
  const [error, setError] = useState(null);
  const C = loaded[name];
  useEffect(() => {
    if (!C)
      load(name).then(
        () => ready((n) => n + 1),
        () =>
          setError({
            message: 'this page could not be loaded',
            hint: 'check the connection to Berth and reload the page',
          }),
      );
  }, [name]);
  if (error) return html`<${ErrorNote} error=${error} />`;
  return C ? html`<${C} ...${props} />` : html`<${Loading} rows=${5} />`;
}

function preloadPages() {
  const idle = window.requestIdleCallback ?? ((f) => setTimeout(f, 300));
  // Best effort: a page that did not preload loads when it is opened.
  idle(() => Object.keys(LAZY).forEach((name) => loaded[name] || load(name, 1).catch(() => {})));
}

function Page({ path, session, live }) {
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case undefined:
    case 'sandboxes':
      return parts[1]
        ? html`<${Lazy} name="sandbox" key=${parts[1]} id=${decodeURIComponent(parts[1])} tab=${parts[2] ?? 'overview'} live=${live} />`
        : html`<${Sandboxes} live=${live} />`;
    case 'snapshots':
    case 'registries':
    case 'volumes':
    case 'usage':
    case 'audit':
      return html`<${Lazy} name=${parts[0]} />`;
    case 'settings':
      if (parts[1] === 'ssh-keys') return html`<${Lazy} name="sshKeys" />`;
      return parts[1] ? notFound(path) : html`<${Lazy} name="settings" session=${session} />`;
    case 'keys':
    case 'members':
      return html`<${Lazy} name=${parts[0]} session=${session} />`;
    case 'connect':
      return html`<${ConnectPage} />`;
    default:
      return notFound(path);
  }
}

const notFound = (path) =>
  html`<h1>Not found</h1><p>No page at ${path}. <a href="/sandboxes" data-route>Go to Sandboxes</a>.</p>`;

// Asked before the first render: one round trip less before the page shows.
const firstCheck = /^#signin=/.test(location.hash) ? null : api('GET', '/ui/session').catch((e) => e);
// Only when this browser signed in before (a flag, not a credential): a signed-out visit asks nothing it cannot get.
const SIGNED_IN_KEY = 'berth.signedIn';
if (firstCheck && localStorage.getItem(SIGNED_IN_KEY) && /^\/(sandboxes\/?)?$/.test(location.pathname))
  prefetch(FIRST_PAGE);

function App() {
  const path = usePath();
  const [session, setSessionState] = useState(undefined);
  const setSession = (s) => {
    if (s) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
    setSessionState(s);
  };
  const [signInError, setSignInError] = useState(null);
  // One live connection per signed-in key and organization, made as the session is known (not an effect later).
  const live = useMemo(
    () =>
      session ? connectLive({ organizationId: currentOrganization() || undefined, onEnded: () => check() }) : null,
    [session?.keyId, session?.organizationId],
  );
  useEffect(() => () => live?.close(), [live]);

  const check = async (pending) => {
    try {
      const s = pending
        ? await pending.then((r) => (r instanceof Error ? Promise.reject(r) : r))
        : await api('GET', '/ui/session');
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

  useEffect(() => session && preloadPages(), [!!session]);
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
