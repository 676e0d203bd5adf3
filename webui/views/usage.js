// Usage: quotas against what is used now, usage per day (GET /api/usage/daily,
// UTC days) and resource-minutes per sandbox.
import { html, useState } from '../lib/html.js';
import { api, q } from '../api.js';
import { DayBars } from '../lib/day-bars.js';
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

const RANGES = [7, 30, 90];

function Daily() {
  const [days, setDays] = useState(30);
  const report = useData(() => api('GET', `/usage/daily${q({ days })}`), [days]);
  const list = report.data?.days;
  const any = list?.some((d) => d.sandboxes > 0);
  return html`<section aria-labelledby="usage-daily">
    <div class="page-head">
      <h2 id="usage-daily">Per day</h2>
      <label class="inline">Range<select value=${days} onChange=${(e) => setDays(Number(e.currentTarget.value))}>
        ${RANGES.map((n) => html`<option value=${n}>Last ${n} days</option>`)}
      </select></label>
    </div>
    <${ErrorNote} error=${report.error} />
    ${
      !list
        ? html`<${Loading} rows=${3} />`
        : !any
          ? html`<p class="muted empty-days">No usage in the last ${days} days. It accrues while sandboxes exist: CPU and memory while
            they run, disk while they have a container.</p>`
          : html`<p class="muted">${report.data.from} to ${report.data.to}, days in UTC.</p>
          <div class="charts">
            <${DayBars} days=${list} field="cpuMinutes" label="CPU-minutes per day" />
            <${DayBars} days=${list} field="memoryGiBMinutes" label="Memory GiB-minutes per day" />
            <${DayBars} days=${list} field="diskGiBMinutes" label="Disk GiB-minutes per day" />
            <${DayBars} days=${list} field="sandboxes" label="Sandboxes per day" />
          </div>`
    }
  </section>`;
}

export function Usage() {
  const report = useData(() => api('GET', '/usage'), []);
  const r = report.data;
  const top = r
    ? r.sandboxes
        .slice()
        .sort((a, b) => b.cpuMinutes - a.cpuMinutes)
        .slice(0, 15)
    : [];
  return html`<section aria-labelledby="usage-title">
    <h1 id="usage-title">Usage</h1>
    <${ErrorNote} error=${report.error} />
    ${
      !r
        ? html`<${Loading} rows=${6} />`
        : html`<h2>Quotas</h2>
        <div class="meters">${QUOTAS.map(([k, label, unit]) => html`<${Meter} label=${label} used=${r.used?.[k] ?? 0} limit=${r.quotas?.[k]} unit=${unit} />`)}</div>
        <${Daily} />
        <h2>Totals</h2>
        <p>${r.totals.cpuMinutes.toFixed(1)} CPU-minutes · ${r.totals.memoryGiBMinutes.toFixed(1)} GiB-minutes of memory · ${r.totals.diskGiBMinutes.toFixed(1)} GiB-minutes of disk</p>
        ${
          top.length
            ? html`<div class="charts"><${Bars} rows=${top} field="cpuMinutes" label="CPU-minutes per sandbox" /><${Bars} rows=${top} field="memoryGiBMinutes" label="Memory GiB-minutes per sandbox" /></div>`
            : html`<p class="muted">No usage recorded yet: it accrues while sandboxes run.</p>`
        }`
    }
  </section>`;
}
