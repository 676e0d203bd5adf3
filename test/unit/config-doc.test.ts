import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

it('docs/configuration.md lists every setting (regenerate: node scripts/config-doc.mjs)', async () => {
  // @ts-expect-error plain ESM script without types
  const { render } = (await import('../../../scripts/config-doc.mjs')) as { render(): string };
  assert.equal(readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8'), render());
});
