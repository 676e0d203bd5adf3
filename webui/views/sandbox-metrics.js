// Metrics tab: CPU and memory over time from the sandbox's recorded history
// (GET /api/sandbox/{id}/telemetry/metrics, sampled by the server every
// BERTH_METRICS_INTERVAL_SECONDS whether or not anyone watches), so the chart
// shows the past at once; new samples are fetched while the tab is open.
import { html, useEffect, useState } from '../lib/html.js';
import { api, q, tb } from '../api.js';
import { LineChart } from '../lib/chart.js';
import { bytes, ErrorNote, Loading } from '../lib/ui.js';

const CPU = 'daytona.sandbox.cpu.utilization';
const MEM = 'daytona.sandbox.memory.usage';
const MEM_LIMIT = 'daytona.sandbox.memory.limit';
const RANGES = [
  [15, 'Last 15 minutes'],
  [60, 'Last hour'],
  [24 * 60, 'Last 24 hours'],
];
const REFRESH_MS = 5000;

/**
 * One sandbox's samples since `from` as `{t, cpu, mem}` (mem in % of its limit), oldest first. The end is
 * the server's own now, so a browser clock behind the server's misses nothing.
 */
export async function history(sandboxId, from) {
  const query = q({ from: new Date(from).toISOString(), metricNames: [CPU, MEM, MEM_LIMIT].join(',') });
  const r = await api('GET', `/sandbox/${encodeURIComponent(sandboxId)}/telemetry/metrics${query}`);
  const at = new Map();
  for (const s of r.series) {
    for (const p of s.dataPoints) {
      const t = Date.parse(p.timestamp);
      at.set(t, { ...at.get(t), t, [s.metricName]: p.value });
    }
  }
  return [...at.values()]
    .filter((p) => p[CPU] !== undefined && p[MEM] !== undefined)
    .sort((a, b) => a.t - b.t)
    .map((p) => ({ t: p.t, cpu: p[CPU], mem: p[MEM_LIMIT] ? (p[MEM] / p[MEM_LIMIT]) * 100 : 0, memBytes: p[MEM] }));
}

/** Loads the range, then appends what was sampled since, every few seconds; returns stop(). */
function follow(sandboxId, minutes, onSamples, onError) {
  let stopped = false;
  let timer = null;
  let last = Date.now() - minutes * 60_000;
  let samples = [];
  const tick = async () => {
    const now = Date.now();
    try {
      const fresh = (await history(sandboxId, last)).filter((s) => s.t > (samples.at(-1)?.t ?? 0));
      if (stopped) return;
      samples = [...samples, ...fresh].filter((s) => s.t >= now - minutes * 60_000);
      if (fresh.length) last = fresh.at(-1).t;
      onSamples(samples, now);
    } catch (e) {
      if (!stopped) onError(e);
    }
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function Metrics({ sandbox }) {
  const [minutes, setMinutes] = useState(60);
  const [view, setView] = useState(null);
  const [error, setError] = useState(null);
  const [now, setNow] = useState(null);
  const started = sandbox.state === 'started';
  useEffect(() => {
    setView(null);
    return follow(
      sandbox.id,
      minutes,
      (samples, at) => {
        setError(null);
        setView({ samples, at });
      },
      setError,
    );
  }, [sandbox.id, minutes]);
  // What the sandbox has right now (CPUs, disk), asked once: only a started sandbox can answer.
  useEffect(() => {
    if (started) api('GET', tb(sandbox.id, '/system/metrics')).then(setNow, () => setNow(null));
  }, [sandbox.id, started]);
  const samples = view?.samples ?? [];
  // The axis starts with the range, or with the sandbox when it is younger: no hour of nothing before it existed.
  const from = view ? Math.max(view.at - minutes * 60_000, Date.parse(sandbox.createdAt) || 0) : undefined;
  return html`<div class="metrics">
    <div class="inline-form">
      <label>Range<select value=${minutes} onChange=${(e) => setMinutes(Number(e.currentTarget.value))}>
        ${RANGES.map(([m, label]) => html`<option value=${m}>${label}</option>`)}
      </select></label>
      <span class="muted" role="status">
        ${view ? `${samples.length} sample${samples.length === 1 ? '' : 's'} recorded by the server` : ''}</span>
    </div>
    <${ErrorNote} error=${error} />
    ${
      !view && !error
        ? html`<${Loading} rows=${4} />`
        : html`${
            view && !samples.length
              ? html`<p class="muted">No samples in this range yet. The server records CPU and memory every few seconds while the sandbox
              runs (BERTH_METRICS_INTERVAL_SECONDS) and keeps them for BERTH_METRICS_RETENTION_HOURS.</p>`
              : null
          }
        <${LineChart} label="CPU use over time" from=${from} to=${view?.at}
          series=${[{ name: 'CPU', className: 'cpu', points: samples.map((s) => ({ t: s.t, v: s.cpu })) }]} />
        <${LineChart} label="Memory use over time" from=${from} to=${view?.at}
          series=${[{ name: 'Memory', className: 'mem', points: samples.map((s) => ({ t: s.t, v: s.mem })) }]} />`
    }
    ${
      now
        ? html`<dl class="settings">
          <dt>CPUs</dt><dd>${now.cpuCount}</dd>
          <dt>Memory</dt><dd>${bytes(now.memUsed)} of ${bytes(now.memTotal)}</dd>
          <dt>Disk</dt><dd>${bytes(now.diskUsed)} of ${bytes(now.diskTotal)}</dd>
        </dl>`
        : null
    }
  </div>`;
}
