// `berth docs [topic]`: where Berth's documentation is (the docs/ folder next
// to the CLI, one guide per topic), and one guide printed in the terminal.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../common/errors.js';
import { print, table } from '../output.js';

/** The checkout's (or package's) docs folder: dist/cli/commands → ../../../docs. */
const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));

interface Guide {
  topic: string;
  title: string;
  path: string;
}

function guides(): Guide[] {
  return readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => {
      const path = DOCS + f;
      const heading = /^# (.+)$/m.exec(readFileSync(path, 'utf8'));
      return { topic: f.slice(0, -3), title: heading?.[1]?.trim() ?? '', path };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

export async function docs(topic: string | undefined, f: { json?: boolean }): Promise<void> {
  const all = guides();
  if (topic === undefined) {
    const human = () =>
      `Berth's documentation is in ${DOCS} (README.md is one folder up).\n\n` +
      table(all as unknown as Record<string, unknown>[], ['topic', 'title', 'path']) +
      `\nPrint one with: berth docs <topic>   (e.g. berth docs mcp)\n`;
    return print(all, !!f.json, human);
  }
  const g = all.find((x) => x.topic === topic.toLowerCase().replace(/\.md$/, ''));
  if (!g) {
    throw new AppError('invalid_argument', `no guide named ${JSON.stringify(topic)}`, {
      hint: `topics: ${all.map((x) => x.topic).join(', ')}`,
    });
  }
  const content = readFileSync(g.path, 'utf8');
  print({ ...g, content }, !!f.json, () => content);
}
