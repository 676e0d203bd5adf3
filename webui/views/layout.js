// The frame around every page: navigation, organization switcher, Connect
// panel and sign-out. On a phone the navigation folds into a menu button.
import { html, useState } from '../lib/html.js';
import { api } from '../api.js';
import { Dialog, useData } from '../lib/ui.js';
import { Connect } from './connect.js';

export const NAV = [
  ['/sandboxes', 'Sandboxes'],
  ['/snapshots', 'Snapshots'],
  ['/registries', 'Registries'],
  ['/volumes', 'Volumes'],
  ['/keys', 'API keys'],
  ['/members', 'Members'],
  ['/usage', 'Usage'],
  ['/audit', 'Audit log'],
  ['/settings', 'Settings'],
  // The person's own settings, under the organization's.
  ['/settings/ssh-keys', 'SSH keys', 'sub'],
];

/** The entry a path belongs to: the longest one it starts with. */
const currentEntry = (path) =>
  NAV.map(([href]) => href)
    .filter((href) => path === href || path.startsWith(`${href}/`))
    .sort((a, b) => b.length - a.length)[0] ?? '/sandboxes';

function OrgSwitcher({ session, onSwitch }) {
  const orgs = useData(() => api('GET', '/organizations'), [session.keyId]);
  const list = orgs.data ?? [];
  if (list.length < 2) return html`<span class="org-name" title="Organization">${list[0]?.name ?? ''}</span>`;
  return html`<label class="org-switch">
    <span class="visually-hidden">Organization</span>
    <select aria-label="Organization" value=${session.organizationId} onChange=${(e) => onSwitch(e.currentTarget.value)}>
      ${list.map((o) => html`<option value=${o.id}>${o.name}</option>`)}
    </select>
  </label>`;
}

export function Layout({ path, session, onSwitch, onSignOut, children }) {
  const [menu, setMenu] = useState(false);
  const [connect, setConnect] = useState(false);
  const current = currentEntry(path);
  return html`<div class="shell">
    <header class="top">
      <a class="brand" href="/sandboxes" data-route><span class="logo" aria-hidden="true"></span>Berth</a>
      <button class="icon menu-button" aria-label="Menu" aria-expanded=${menu} aria-controls="nav" onClick=${() => setMenu(!menu)}>☰</button>
      <div class="top-right">
        <${OrgSwitcher} session=${session} onSwitch=${onSwitch} />
        <button onClick=${() => setConnect(true)}>Connect</button>
        <span class="who muted" title=${session.email ?? ''}>${session.email ?? ''}</span>
        <button onClick=${onSignOut}>Sign out</button>
      </div>
    </header>
    <nav id="nav" class=${menu ? 'open' : ''} aria-label="Main">
      <ul>
        ${NAV.map(([href, name, sub]) => html`<li class=${sub ?? ''}><a href=${href} data-route aria-current=${current === href ? 'page' : undefined} onClick=${() => setMenu(false)}>${name}</a></li>`)}
      </ul>
    </nav>
    <main id="main">${children}</main>
    <${Dialog} title="Connect" open=${connect} onClose=${() => setConnect(false)} wide><${Connect} /><//>
  </div>`;
}
