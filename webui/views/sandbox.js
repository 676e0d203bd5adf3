// One sandbox: its actions and tabs (Overview, Terminal, Files, Processes,
// Git, Ports, SSH, Metrics). The state follows live events.
import { html, useEffect, useState } from '../lib/html.js';
import { api, q } from '../api.js';
import { navigate } from '../lib/router.js';
import { Badge, Confirm, ErrorNote, gib, Loading, Time, useAction, useData } from '../lib/ui.js';
import { ACTIONS } from './sandbox-actions.js';
import { Terminal } from './sandbox-terminal.js';
import { Files } from './sandbox-files.js';
import { Processes } from './sandbox-processes.js';
import { Git } from './sandbox-git.js';
import { Ports } from './sandbox-ports.js';
import { Ssh } from './sandbox-ssh.js';
import { Metrics } from './sandbox-metrics.js';
import { copyAllowed, ForkDialog, SnapshotDialog } from './sandbox-copy.js';

const TABS = [
  ['overview', 'Overview'],
  ['terminal', 'Terminal'],
  ['files', 'Files'],
  ['processes', 'Processes'],
  ['git', 'Git'],
  ['ports', 'Ports'],
  ['ssh', 'SSH'],
  ['metrics', 'Metrics'],
];

/** States in which a start may be waiting for its image: the progress line is shown only then. */
const MAKING = ['creating', 'pulling_snapshot', 'starting', 'restoring'];

function Events({ id }) {
  const log = useData(() => api('GET', `/audit${q({ targetId: id, limit: 50 })}`), [id]);
  if (log.error?.status === 403)
    return html`<p class="muted">The events of this sandbox are in the audit log, which this key may not read (read:audit_logs).</p>`;
  if (log.error) return html`<${ErrorNote} error=${log.error} />`;
  if (!log.data) return html`<${Loading} rows=${2} />`;
  if (!log.data.items.length) return html`<p class="muted">No events recorded yet.</p>`;
  return html`<ol class="timeline">
    ${log.data.items.map(
      (e) => html`<li class=${`outcome-${e.outcome}`}>
      <${Time} value=${e.createdAt} /> <strong>${e.action}</strong> <span class="muted">${e.outcome}${e.errorCode ? ` (${e.errorCode})` : ''} · ${e.actor ?? e.actorType} via ${e.frontend ?? '—'}</span>
    </li>`,
    )}
  </ol>`;
}

function Overview({ s, onRecover, recovering }) {
  const rows = [
    ['ID', html`<code>${s.id}</code>`],
    ['Image', html`<code>${s.snapshot ?? s.image}</code>`],
    ['Resources', `${s.cpu} CPU · ${gib(s.memory)} memory · ${gib(s.disk)} disk`],
    ['User', s.user],
    ['Runtime', s.runtime],
    ['Auto-stop', s.autoStopInterval ? `after ${s.autoStopInterval} min idle` : 'never'],
    ['Auto-archive', `after ${s.autoArchiveInterval} min stopped`],
    [
      'Auto-delete',
      s.autoDeleteInterval < 0
        ? 'never'
        : s.autoDeleteInterval === 0
          ? 'when stopped'
          : `after ${s.autoDeleteInterval} min stopped`,
    ],
    [
      'Network',
      s.networkBlockAll ? 'all blocked' : s.networkAllowList ? `only ${s.networkAllowList}` : 'organization default',
    ],
    ['Public previews', s.public ? 'yes' : 'no (a key or token is needed)'],
    ['Runner', s.runnerId ?? '—'],
    ['Created', html`<${Time} value=${s.createdAt} />`],
    ['Last activity', html`<${Time} value=${s.lastActivityAt} />`],
  ];
  return html`<div class="overview">
    ${
      s.state === 'error' || s.errorReason
        ? html`<div class="error-note" role="alert">
          <strong>This sandbox is in error: ${s.errorReason ?? 'no reason recorded'}</strong>
          ${s.recoverable ? html`<p><button class="primary" disabled=${recovering} onClick=${onRecover}>Recover</button></p>` : html`<p class="hint">Not recoverable: delete it and create a new one.</p>`}
        </div>`
        : null
    }
    <dl class="settings">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    <h3>Labels</h3>
    <p class="labels">${Object.keys(s.labels ?? {}).length ? Object.entries(s.labels).map(([k, v]) => html`<span class="label">${k}=${v}</span>`) : html`<span class="muted">none</span>`}</p>
    <h3>Environment</h3>
    ${Object.keys(s.env ?? {}).length ? html`<dl class="settings">${Object.entries(s.env).map(([k, v]) => html`<dt><code>${k}</code></dt><dd><code>${v}</code></dd>`)}</dl>` : html`<p class="muted">none</p>`}
    <h3>Events</h3>
    <${Events} id=${s.id} />
  </div>`;
}

export function SandboxPage({ id, tab, live }) {
  const sb = useData(() => api('GET', `/sandbox/${encodeURIComponent(id)}`), [id]);
  const [s, setS] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [copying, setCopying] = useState(null);
  const act = useAction();
  useEffect(() => sb.data && setS(sb.data), [sb.data]);
  // The latest progress line (an image on its way to the sandbox's runner), shown while it is being made.
  const [progress, setProgress] = useState(null);
  useEffect(
    () =>
      live.subscribe(({ type, sandbox, sandboxId, line }) => {
        if (type === 'progress') return sandboxId === id && setProgress(line);
        if (sandbox?.id !== id) return;
        setS((cur) => (cur ? { ...cur, ...sandbox } : cur));
        // Made (or failed): the line is done with, and a later start must not show it again.
        if (sandbox.state && !MAKING.includes(sandbox.state)) setProgress(null);
      }),
    [live, id],
  );

  if (sb.error && !s)
    return html`<h1>Sandbox</h1><${ErrorNote} error=${sb.error} /><p><a href="/sandboxes" data-route>Back to Sandboxes</a></p>`;
  if (!s) return html`<h1>Sandbox</h1><${Loading} rows=${5} />`;
  const run = (a) => (ACTIONS[a].danger ? setConfirm(a) : act.run(async () => setS(await ACTIONS[a].run(s.id))));
  const started = s.state === 'started';
  const body = {
    overview: () =>
      html`<${Overview} s=${s} recovering=${act.busy} onRecover=${() => act.run(async () => setS(await api('POST', `/sandbox/${encodeURIComponent(s.id)}/recover`)))} />`,
    terminal: () => html`<${Terminal} sandbox=${s} />`,
    files: () => html`<${Files} sandbox=${s} />`,
    processes: () => html`<${Processes} sandbox=${s} />`,
    git: () => html`<${Git} sandbox=${s} />`,
    ports: () => html`<${Ports} sandbox=${s} />`,
    ssh: () => html`<${Ssh} sandbox=${s} />`,
    metrics: () => html`<${Metrics} sandbox=${s} />`,
  }[tab];
  // The recorded metrics, SSH access and preview links exist whatever the state.
  const needsStarted = !['overview', 'ports', 'ssh', 'metrics'].includes(tab) && !started;
  return html`<section aria-labelledby="sandbox-title">
    <p class="crumbs"><a href="/sandboxes" data-route>Sandboxes</a> /</p>
    <div class="page-head">
      <h1 id="sandbox-title">${s.name}</h1>
      <${Badge} state=${s.state} />
      ${progress && MAKING.includes(s.state) ? html`<span class="progress-line muted" role="status">${progress}</span>` : null}
      <div class="head-actions">
        ${['start', 'stop', 'pause', 'archive'].map((a) => html`<button disabled=${act.busy || !ACTIONS[a].allowed(s)} onClick=${() => run(a)}>${a === 'start' && s.state === 'paused' ? 'Resume' : ACTIONS[a].label}</button>`)}
        <button disabled=${act.busy || !copyAllowed(s)} onClick=${() => setCopying('fork')}>Fork…</button>
        <button disabled=${act.busy || !copyAllowed(s)} onClick=${() => setCopying('snapshot')}>Snapshot…</button>
        <button class="danger" disabled=${act.busy} onClick=${() => run('delete')}>Delete</button>
      </div>
    </div>
    <${ErrorNote} error=${act.error} onDismiss=${act.clear} />
    <nav class="tabs" role="tablist" aria-label="Sandbox sections">
      ${TABS.map(([t, label]) => html`<a role="tab" aria-selected=${t === tab} href=${`/sandboxes/${encodeURIComponent(s.id)}${t === 'overview' ? '' : `/${t}`}`} data-route>${label}</a>`)}
    </nav>
    <div class="tab-body" role="tabpanel" aria-label=${TABS.find(([t]) => t === tab)?.[1] ?? tab}>
      ${!body ? html`<p>No such tab.</p>` : needsStarted ? html`<div class="empty"><h3>This sandbox is ${s.state.replace('_', ' ')}</h3><p>Start it to use this tab.</p><button class="primary" disabled=${!ACTIONS.start.allowed(s) || act.busy} onClick=${() => run('start')}>Start</button></div>` : body()}
    </div>
    <${Confirm}
      open=${!!confirm}
      title=${`Delete ${s.name}?`}
      message="The sandbox and its files are gone for good (volumes are kept)."
      action="Delete"
      danger
      onConfirm=${async () => {
        await ACTIONS.delete.run(s.id);
        navigate('/sandboxes');
      }}
      onClose=${() => setConfirm(null)}
    />
    <${ForkDialog} sandbox=${s} open=${copying === 'fork'} onClose=${() => setCopying(null)} />
    <${SnapshotDialog} sandbox=${s} open=${copying === 'snapshot'} onClose=${() => setCopying(null)} />
  </section>`;
}
