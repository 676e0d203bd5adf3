// Writes docs/configuration.md from the settings table in common/config.ts, so
// the documentation cannot drift (a unit test checks it is current).
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeSettings } from '../dist/common/config.js';

export function render() {
  const rows = describeSettings().map(
    (s) => `| \`${s.env}\` | ${s.default ? `\`${s.default.replace(homedir(), '~')}\`` : ''} | ${s.doc} |`,
  );
  return `# Configuration\n\nResolved once at start: an explicit flag, then the environment variable, then the default.\nEvery invalid setting is reported at once with what is expected.\n\n| Variable | Default | Meaning |\n|---|---|---|\n${rows.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/configuration.md', import.meta.url), render());
}
