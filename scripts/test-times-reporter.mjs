// A node:test reporter that prints, when a run ends, how long each top-level
// suite took (slowest first), so a slow CI run shows where its time went.
export default async function* times(source) {
  const rows = [];
  for await (const ev of source) {
    if (
      (ev.type === 'test:pass' || ev.type === 'test:fail') &&
      ev.data.nesting === 0 &&
      ev.data.details?.duration_ms !== undefined
    ) {
      rows.push({ ms: ev.data.details.duration_ms, name: ev.data.name, file: ev.data.file ?? '' });
    }
  }
  rows.sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  yield `\n# time per suite (total ${Math.round(total / 1000)} s)\n`;
  for (const r of rows.filter((x) => x.ms >= 1000).slice(0, 30))
    yield `# ${String(Math.round(r.ms / 1000)).padStart(5)} s  ${r.name}  (${r.file.replace(/^.*\/dist\//, '')})\n`;
}
