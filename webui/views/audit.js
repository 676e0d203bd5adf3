// Audit log: who did what, filtered, paginated by cursor, exported as CSV.
import { html, useState } from '../lib/html.js';
import { api, q, saveBlob } from '../api.js';
import { Empty, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';

const COLS = [
  'createdAt',
  'actor',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'errorCode',
  'frontend',
  'sourceIp',
  'requestId',
];
const cell = (v) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quoted, and a leading = + - @ neutralised, so a spreadsheet never runs an entry as a formula.
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"`;
};
export const toCsv = (items) =>
  [
    [...COLS, 'details'].join(','),
    ...items.map((e) => [...COLS.map((c) => cell(e[c])), cell(e.details)].join(',')),
  ].join('\r\n') + '\r\n';

export function Audit() {
  const [f, setF] = useState({ action: '', outcome: '', targetId: '', from: '', to: '' });
  const [applied, setApplied] = useState(f);
  const [cursors, setCursors] = useState([undefined]);
  const params = (cursor, limit = 50) =>
    q({
      action: applied.action.trim(),
      outcome: applied.outcome,
      targetId: applied.targetId.trim(),
      from: applied.from ? new Date(applied.from).toISOString() : '',
      to: applied.to ? new Date(applied.to).toISOString() : '',
      cursor,
      limit,
    });
  const list = useData(() => api('GET', `/audit${params(cursors[cursors.length - 1])}`), [applied, cursors]);
  const exp = useAction();
  const exportCsv = () =>
    exp.run(async () => {
      const all = [];
      let cursor;
      do {
        const page = await api('GET', `/audit${params(cursor, 1000)}`);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor && all.length < 100_000);
      saveBlob(new Blob([toCsv(all)], { type: 'text/csv' }), 'berth-audit.csv');
    });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  return html`<section aria-labelledby="audit-title">
    <div class="page-head"><h1 id="audit-title">Audit log</h1><button onClick=${exportCsv} disabled=${exp.busy}>Export CSV</button></div>
    <form class="filters" role="search" onSubmit=${(e) => {
      e.preventDefault();
      setApplied(f);
      setCursors([undefined]);
    }}>
      <label>Action<input value=${f.action} onInput=${set('action')} placeholder="e.g. sandbox.create" /></label>
      <label>Outcome<select value=${f.outcome} onChange=${set('outcome')}><option value="">Any</option><option value="success">success</option><option value="denied">denied</option><option value="failure">failure</option></select></label>
      <label>Target ID<input value=${f.targetId} onInput=${set('targetId')} /></label>
      <label>From<input type="datetime-local" value=${f.from} onInput=${set('from')} /></label>
      <label>To<input type="datetime-local" value=${f.to} onInput=${set('to')} /></label>
      <button type="submit">Filter</button>
    </form>
    <${ErrorNote} error=${list.error || exp.error} onDismiss=${exp.clear} />
    ${
      !list.data
        ? html`<${Loading} rows=${6} />`
        : !list.data.items.length
          ? html`<${Empty} title="No audit entries"><p>Every change made through the API, MCP, CLI or this UI is recorded here.</p><//>`
          : html`<div class="table-wrap"><table aria-label="Audit log">
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Via</th></tr></thead>
            <tbody>${list.data.items.map(
              (e) => html`<tr key=${e.id} class=${`outcome-${e.outcome}`}>
              <td><${Time} value=${e.createdAt} /></td>
              <td>${e.actor ?? e.actorType}</td>
              <td class="mono">${e.action}</td>
              <td class="mono ellipsis" title=${e.targetId ?? ''}>${e.targetType ? `${e.targetType} ` : ''}${e.targetId ?? ''}</td>
              <td>${e.outcome}${e.errorCode ? ` (${e.errorCode})` : ''}</td>
              <td>${e.frontend ?? ''}</td>
            </tr>`,
            )}</tbody>
          </table></div>
          <nav class="pager" aria-label="Pages">
            <button disabled=${cursors.length < 2} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous</button>
            <button disabled=${!list.data.nextCursor} onClick=${() => setCursors([...cursors, list.data.nextCursor])}>Next</button>
          </nav>`
    }
  </section>`;
}
