// Sandboxes: a server-side paginated, filtered and sorted table with bulk
// actions; states follow Socket.IO events without a reload.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { getPrefetched, q } from '../api.js';
import { Badge, Confirm, Empty, ErrorNote, gib, Loading, Snippet, Time, useData } from '../lib/ui.js';
import { CreateSandbox } from './create-sandbox.js';
import { ACTIONS, runOnAll } from './sandbox-actions.js';
import { snippets } from './connect.js';

const PAGE = 50;
/** The list the page shows first, so the app can ask for it beside its session check. */
export const FIRST_PAGE = `/sandbox${q({ limit: PAGE, sort: 'createdAt', order: 'desc' })}`;
const STATES = [
  'started',
  'stopped',
  'paused',
  'archived',
  'creating',
  'starting',
  'stopping',
  'archiving',
  'restoring',
  'error',
  'build_failed',
];
/** Actions that make sense on many sandboxes at once (fork and snapshot take a name each: sandbox page). */
const BULK = ['start', 'stop', 'pause', 'archive', 'delete'];
const COLUMNS = [
  ['name', 'Name', 'name'],
  ['state', 'State'],
  ['image', 'Image'],
  ['resources', 'CPU / memory / disk', 'cpu'],
  ['labels', 'Labels'],
  ['lastActivityAt', 'Last activity', 'lastActivityAt'],
  ['createdAt', 'Created', 'createdAt'],
  ['runner', 'Runner'],
];

/** `team=a, env=prod` → {team: 'a', env: 'prod'}; a bare word filters on the key with any value is not supported by the API, so it is an error. */
function labelFilter(text) {
  const out = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 1)
      throw Object.assign(new Error(`label filter "${part}" is not key=value`), {
        hint: 'e.g. team=research, or several separated by commas',
      });
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return Object.keys(out).length ? JSON.stringify(out) : undefined;
}

export function Sandboxes({ live }) {
  const [filters, setFilters] = useState({ name: '', state: '', labels: '' });
  const [sort, setSort] = useState({ by: 'createdAt', order: 'desc' });
  const [cursors, setCursors] = useState([undefined]);
  const [selected, setSelected] = useState(new Set());
  const [creating, setCreating] = useState(false);
  const [bulk, setBulk] = useState(null);
  const [filterError, setFilterError] = useState(null);
  const cursor = cursors[cursors.length - 1];

  const list = useData(async () => {
    let labels;
    try {
      labels = labelFilter(filters.labels);
      setFilterError(null);
    } catch (e) {
      setFilterError(e);
      return { items: [], total: 0, nextCursor: null };
    }
    return getPrefetched(
      `/sandbox${q({ limit: PAGE, cursor, sort: sort.by, order: sort.order, name: filters.name.trim(), states: filters.state, labels })}`,
    );
  }, [filters, sort, cursor]);
  const [rows, setRows] = useState(null);
  useEffect(() => list.data && setRows(list.data.items), [list.data]);

  // Live states: patch rows in place; a new sandbox reloads the first page.
  const reloadSoon = useRef(null);
  useEffect(
    () =>
      live.subscribe(({ type, sandbox }) => {
        if (!sandbox?.id) return;
        setRows((r) => (r ? r.map((s) => (s.id === sandbox.id ? { ...s, ...sandbox } : s)) : r));
        if (type === 'created' || sandbox.state === 'destroyed') {
          clearTimeout(reloadSoon.current);
          reloadSoon.current = setTimeout(list.reload, 150);
        }
      }),
    [live, list.reload],
  );

  const shown = (rows ?? []).filter((s) => s.state !== 'destroyed');
  const total = list.data?.total ?? 0;
  const first = (cursors.length - 1) * PAGE;
  const setFilter = (k) => (e) => {
    setFilters({ ...filters, [k]: e.currentTarget.value });
    setCursors([undefined]);
    setSelected(new Set());
  };
  const sortBy = (by) => {
    setSort((s) => ({ by, order: s.by === by && s.order === 'desc' ? 'asc' : 'desc' }));
    setCursors([undefined]);
  };
  const toggle = (id) => {
    const n = new Set(selected);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    setSelected(n);
  };
  const chosen = shown.filter((s) => selected.has(s.id));
  const filtering = filters.name || filters.state || filters.labels;

  return html`<section aria-labelledby="sandboxes-title">
    <div class="page-head">
      <h1 id="sandboxes-title">Sandboxes</h1>
      <button class="primary" onClick=${() => setCreating(true)}>Create sandbox</button>
    </div>
    <div class="filters" role="search">
      <label>Name<input type="search" value=${filters.name} onInput=${setFilter('name')} placeholder="contains…" /></label>
      <label>State
        <select value=${filters.state} onChange=${setFilter('state')}>
          <option value="">Any state</option>
          ${STATES.map((s) => html`<option value=${s}>${s.replace('_', ' ')}</option>`)}
        </select>
      </label>
      <label>Label<input type="search" value=${filters.labels} onInput=${setFilter('labels')} placeholder="key=value" /></label>
    </div>
    <${ErrorNote} error=${filterError || list.error} />
    <div class="bulk" role="toolbar" aria-label="Bulk actions">
      <span class="muted">${chosen.length ? `${chosen.length} selected` : 'Select sandboxes for bulk actions'}</span>
      ${BULK.map((a) => html`<button class=${ACTIONS[a].danger ? 'danger' : ''} disabled=${!chosen.length} onClick=${() => setBulk(a)}>${ACTIONS[a].label}</button>`)}
    </div>
    ${
      rows === null
        ? html`<${Loading} rows=${6} />`
        : !shown.length && !filtering && !cursor
          ? html`<${Empty} title="No sandboxes yet">
            <p>Click <strong>Create sandbox</strong> above, or create one from code with the Daytona SDK:</p>
            <${Snippet} label="SDK example" code=${snippets(location.origin).sdk} />
          <//>`
          : html`<div class="table-wrap">
            <table class="sandboxes" aria-label="Sandboxes" aria-busy=${list.loading}>
              <thead>
                <tr>
                  <th scope="col"><input type="checkbox" aria-label="Select all" checked=${shown.length > 0 && chosen.length === shown.length} onChange=${(e) => setSelected(new Set(e.currentTarget.checked ? shown.map((s) => s.id) : []))} /></th>
                  ${COLUMNS.map(([k, label, by]) =>
                    by
                      ? html`<th scope="col" aria-sort=${sort.by === by ? (sort.order === 'asc' ? 'ascending' : 'descending') : 'none'}><button class="sort" onClick=${() => sortBy(by)}>${label}${sort.by === by ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}</button></th>`
                      : html`<th scope="col" class=${`col-${k}`}>${label}</th>`,
                  )}
                </tr>
              </thead>
              <tbody>
                ${
                  shown.length
                    ? shown.map(
                        (s) => html`<tr key=${s.id} data-id=${s.id}>
                        <td><input type="checkbox" aria-label=${`Select ${s.name}`} checked=${selected.has(s.id)} onChange=${() => toggle(s.id)} /></td>
                        <td><a href=${`/sandboxes/${encodeURIComponent(s.id)}`} data-route>${s.name}</a></td>
                        <td><${Badge} state=${s.state} /></td>
                        <td class="mono ellipsis" title=${s.snapshot ?? s.image}>${s.snapshot ?? s.image}</td>
                        <td>${s.cpu} CPU · ${gib(s.memory)} · ${gib(s.disk)}</td>
                        <td class="labels">${Object.entries(s.labels ?? {}).map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</td>
                        <td><${Time} value=${s.lastActivityAt} /></td>
                        <td><${Time} value=${s.createdAt} /></td>
                        <td class="mono ellipsis">${s.runnerId ?? '—'}</td>
                      </tr>`,
                      )
                    : html`<tr><td colspan=${COLUMNS.length + 1} class="muted">No sandbox matches these filters.</td></tr>`
                }
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <span class="muted">${total ? `${first + 1}–${first + shown.length} of ${total.toLocaleString()}` : ''}</span>
            <button disabled=${cursors.length < 2} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
            <button disabled=${!list.data?.nextCursor} onClick=${() => setCursors([...cursors, list.data.nextCursor])}>Next</button>
          </nav>`
    }
    <${CreateSandbox} open=${creating} onClose=${() => setCreating(false)} onCreated=${() => list.reload()} />
    <${Confirm}
      open=${!!bulk}
      title=${bulk ? `${ACTIONS[bulk].label} ${chosen.length} sandbox${chosen.length === 1 ? '' : 'es'}?` : ''}
      message=${bulk ? `${ACTIONS[bulk].label}: ${chosen.map((s) => s.name).join(', ')}.${bulk === 'delete' ? ' Their files are gone for good.' : ''}` : ''}
      action=${bulk ? ACTIONS[bulk].label : ''}
      danger=${bulk === 'delete'}
      onConfirm=${async () => {
        await runOnAll(bulk, chosen);
        setSelected(new Set());
        list.reload();
      }}
      onClose=${() => setBulk(null)}
    />
  </section>`;
}
