// Usage: quotas against what is used now, and resource-minutes per sandbox.
import { html } from '../lib/html.js';
import { api } from '../api.js';
import { ErrorNote, Loading, useData } from '../lib/ui.js';

const QUOTAS = [
  ['sandboxes', 'Sandboxes', ''],
  ['cpu', 'CPU (running)', ' cores'],
  ['memoryGiB', 'Memory (running)', ' GiB'],
  ['diskGiB', 'Disk (running)', ' GiB'],
  ['snapshots', 'Snapshots', ''],
  ['volumes', 'Volumes', ''],
];

function Meter({ label, used, limit, unit }) {
  const unlimited = limit === -1 || limit === null || limit === undefined;
  return html`<div class="meter">
    <span>${label}</span>
    <meter min="0" max=${unlimited ? Math.max(used, 1) : limit} value=${used} aria-label=${label}></meter>
    <span class="muted">${used}${unit} of ${unlimited ? 'unlimited' : `${limit}${unit}`}</span>
  </div>`;
}

function Bars({ rows, field, label }) {
  const max = Math.max(1, ...rows.map((r) => r[field]));
  return html`<figure class="bars"><figcaption>${label}</figcaption>
    <svg viewBox=${`0 0 400 ${rows.length * 22 + 4}`} role="img" aria-label=${label}>
      ${rows.map((r, i) => html`<g><text class="axis" x="0" y=${i * 22 + 15}>${r.name.slice(0, 18)}</text><rect class="bar" x="130" y=${i * 22 + 4} height="14" width=${Math.max(1, (r[field] / max) * 200)} /><text class="axis" x=${136 + (r[field] / max) * 200} y=${i * 22 + 15}>${r[field].toFixed(1)}</text></g>`)}
    </svg></figure>`;
}

export function Usage() {
  const report = useData(() => api('GET', '/usage'), []);
  const r = report.data;
  const top = r ? r.sandboxes.slice().sort((a, b) => b.cpuMinutes - a.cpuMinutes).slice(0, 15) : [];
  return html`<section aria-labelledby="usage-title">
    <h1 id="usage-title">Usage</h1>
    <${ErrorNote} error=${report.error} />
    ${!r
      ? html`<${Loading} rows=${6} />`
      : html`<h2>Quotas</h2>
        <div class="meters">${QUOTAS.map(([k, label, unit]) => html`<${Meter} label=${label} used=${r.used?.[k] ?? 0} limit=${r.quotas?.[k]} unit=${unit} />`)}</div>
        <h2>Totals</h2>
        <p>${r.totals.cpuMinutes.toFixed(1)} CPU-minutes · ${r.totals.memoryGiBMinutes.toFixed(1)} GiB-minutes of memory · ${r.totals.diskGiBMinutes.toFixed(1)} GiB-minutes of disk</p>
        ${top.length
          ? html`<div class="charts"><${Bars} rows=${top} field="cpuMinutes" label="CPU-minutes per sandbox" /><${Bars} rows=${top} field="memoryGiBMinutes" label="Memory GiB-minutes per sandbox" /></div>`
          : html`<p class="muted">No usage recorded yet: it accrues while sandboxes run.</p>`}`}
  </section>`;
}
