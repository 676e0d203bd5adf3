// Metrics tab: CPU and memory over time. Today the API has the latest sample
// only, so a sampler polls it while the tab is open; a history source (a
// later getMetrics(start, end)) can replace `sampler` with the same shape.
import { html, useEffect, useState } from '../lib/html.js';
import { api, tb } from '../api.js';
import { LineChart } from '../lib/chart.js';
import { bytes, ErrorNote } from '../lib/ui.js';

const KEEP = 150;

/** A metrics source: calls `onSample({t, cpu, mem, raw})` as samples arrive; returns stop(). */
export function sampler(sandboxId, onSample, onError, everyMs = 2000) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    try {
      const m = await api('GET', tb(sandboxId, '/system/metrics'));
      if (!stopped) onSample({ t: Date.now(), cpu: m.cpuUsedPct, mem: m.memTotal ? (m.memUsed / m.memTotal) * 100 : 0, raw: m });
    } catch (e) {
      if (!stopped) onError(e);
    }
    if (!stopped) timer = setTimeout(tick, everyMs);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function Metrics({ sandbox }) {
  const [samples, setSamples] = useState([]);
  const [error, setError] = useState(null);
  useEffect(() => sampler(sandbox.id, (s) => { setError(null); setSamples((a) => [...a, s].slice(-KEEP)); }, setError), [sandbox.id]);
  const last = samples[samples.length - 1]?.raw;
  return html`<div class="metrics">
    <${ErrorNote} error=${error} />
    <p class="muted">Sampled every 2 seconds while this tab is open.</p>
    <${LineChart} label="CPU use over time" series=${[{ name: 'CPU', className: 'cpu', points: samples.map((s) => ({ t: s.t, v: s.cpu })) }]} />
    <${LineChart} label="Memory use over time" series=${[{ name: 'Memory', className: 'mem', points: samples.map((s) => ({ t: s.t, v: s.mem })) }]} />
    ${last ? html`<dl class="settings">
      <dt>CPUs</dt><dd>${last.cpuCount}</dd>
      <dt>Memory</dt><dd>${bytes(last.memUsed)} of ${bytes(last.memTotal)}</dd>
      <dt>Disk</dt><dd>${bytes(last.diskUsed)} of ${bytes(last.diskTotal)}</dd>
    </dl>` : null}
  </div>`;
}
