// A small line chart in SVG, drawn by hand (no chart library): one or more
// series of {t, v} over a shared time axis, values 0..max. The axis spans
// `from`..`to` when given (so gaps in the data show), else the data's span.
import { html } from './html.js';

/** A time on the axis: with seconds when the span is too short for minutes to tell its ends apart. */
const clock = (t, span) =>
  new Date(t).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    ...(span < 10 * 60_000 ? { second: '2-digit' } : {}),
  });

export function LineChart({ series, max = 100, unit = '%', label, height = 160, from, to }) {
  const width = 600;
  const pad = { l: 36, r: 8, t: 8, b: 20 };
  const all = series.flatMap((s) => s.points);
  const t0 = from ?? Math.min(...all.map((p) => p.t));
  const t1 = Math.max(to ?? -Infinity, ...all.map((p) => p.t), t0 + 1);
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v) => pad.t + (1 - Math.min(v, max) / max) * (height - pad.t - pad.b);
  const ticks = [0, max / 2, max];
  const line = (points) => points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${label}>
      ${ticks.map((v) => html`<g><line class="grid" x1=${pad.l} x2=${width - pad.r} y1=${y(v)} y2=${y(v)} /><text class="axis" x=${pad.l - 4} y=${y(v) + 4} text-anchor="end">${Math.round(v)}${unit}</text></g>`)}
      ${
        Number.isFinite(t0) && (all.length || from !== undefined)
          ? html`<text class="axis" x=${pad.l} y=${height - 4}>${clock(t0, t1 - t0)}</text><text class="axis" x=${width - pad.r} y=${height - 4} text-anchor="end">${clock(t1, t1 - t0)}</text>`
          : null
      }
      ${all.length ? series.map((s) => html`<polyline class=${`line ${s.className}`} fill="none" points=${line(s.points)} />`) : null}
    </svg>
    <figcaption>${series.map((s) => html`<span class=${`key ${s.className}`}>${s.name}${s.points.length ? `: ${s.points[s.points.length - 1].v.toFixed(1)}${unit}` : ''}</span>`)}</figcaption>
  </figure>`;
}
