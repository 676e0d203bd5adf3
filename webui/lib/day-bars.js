// A small bar chart of values per day in SVG, drawn by hand like chart.js:
// one bar per day (oldest left), the largest value on the axis, and each
// bar's date and value as its tooltip.
import { html } from './html.js';

const fmt = (v) =>
  v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(v >= 10 ? 1 : 2).replace(/\.?0+$/, '') || '0';

export function DayBars({ days, field, label, unit = '' }) {
  // Drawn small: three of these sit side by side, so the axis text stays legible.
  const width = 320;
  const height = 120;
  const pad = { l: 40, r: 6, t: 8, b: 18 };
  const max = Math.max(...days.map((d) => d[field]), 0);
  const slot = (width - pad.l - pad.r) / Math.max(days.length, 1);
  const y = (v) => pad.t + (1 - (max ? v / max : 0)) * (height - pad.t - pad.b);
  const ticks = days.length > 1 ? [0, Math.floor((days.length - 1) / 2), days.length - 1] : [0];
  return html`<figure class="chart day-bars" data-field=${field}>
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${label}>
      <line class="grid" x1=${pad.l} x2=${width - pad.r} y1=${y(0)} y2=${y(0)} />
      <line class="grid" x1=${pad.l} x2=${width - pad.r} y1=${y(max)} y2=${y(max)} />
      <text class="axis" x=${pad.l - 4} y=${y(max) + 4} text-anchor="end">${fmt(max)}</text>
      <text class="axis" x=${pad.l - 4} y=${y(0) + 4} text-anchor="end">0</text>
      ${days.map((d, i) => {
        const v = d[field];
        const top = y(v);
        return html`<rect class="bar" x=${(pad.l + i * slot + slot * 0.15).toFixed(1)} y=${top.toFixed(1)}
          width=${Math.max(1, slot * 0.7).toFixed(1)} height=${Math.max(v > 0 ? 1 : 0, y(0) - top).toFixed(1)}
          data-date=${d.date} data-value=${v}><title>${d.date}: ${fmt(v)}${unit}</title></rect>`;
      })}
      ${ticks.map((i, k) => {
        // The end labels align to the edges, so neither is cut off.
        const [x, anchor] =
          k === 0
            ? [pad.l, 'start']
            : i === days.length - 1
              ? [width - pad.r, 'end']
              : [pad.l + (i + 0.5) * slot, 'middle'];
        return html`<text class="axis" x=${x} y=${height - 4} text-anchor=${anchor}>${days[i]?.date.slice(5)}</text>`;
      })}
    </svg>
    <figcaption>${label}</figcaption>
  </figure>`;
}
