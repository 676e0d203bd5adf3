// File find/search/replace/permissions over real HTTP in a real sandbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDaemonError, q, toolboxFixture, type Toolbox } from './fixture.js';
import type { Json } from '../helpers/json.js';

describe('toolbox: file search, replace and permissions', () => {
  let t: Toolbox;
  before(async () => {
    t = await toolboxFixture();
  });
  after(async () => {
    await t?.close();
  });

  it('sets the mode, visible through stat, and refuses to give files away', async () => {
    await t.sh('mkdir -p perm && echo x > perm/f && chmod 600 perm/f');
    try {
      const r = await t.tb('POST', `/files/permissions${q({ path: 'perm/f', mode: '751' })}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await t.sh('stat -c %a perm/f')).result.trim(), '751');
      // Owner and group the user already has: allowed no-ops.
      assert.equal(
        (await t.tb('POST', `/files/permissions${q({ path: 'perm/f', owner: 'berth', group: '1000' })}`)).status,
        200,
      );

      const chown = await t.tb('POST', `/files/permissions${q({ path: 'perm/f', owner: 'root' })}`);
      assertDaemonError(chown, 403, 'FILE_ACCESS_DENIED');
      assert.match(chown.body.hint, /CAP_CHOWN/);
      assert.equal((await t.sh('stat -c %U perm/f')).result.trim(), 'berth');

      assertDaemonError(
        await t.tb('POST', `/files/permissions${q({ path: 'perm/f', owner: 'no-such-user' })}`),
        400,
        'BAD_REQUEST',
      );
      assertDaemonError(
        await t.tb('POST', `/files/permissions${q({ path: 'perm/f', mode: '999' })}`),
        400,
        'BAD_REQUEST',
      );
      assertDaemonError(
        await t.tb('POST', `/files/permissions${q({ path: 'perm/missing', mode: '644' })}`),
        404,
        'FILE_NOT_FOUND',
      );
    } finally {
      await t.sh('rm -rf perm');
    }
  });

  it('finds text in text files only, with line numbers', async () => {
    await t.sh(
      `mkdir -p fnd/sub/.git && printf 'one\\ntwo needle\\nthree\\n' > fnd/a.txt && printf 'needle first\\n' > fnd/sub/b.py && printf 'x\\0needle' > fnd/bin.dat && echo needle > fnd/sub/.git/HEAD`,
    );
    try {
      const r = await t.tb('GET', `/files/find${q({ path: 'fnd', pattern: 'needle' })}`);
      assert.equal(r.status, 200);
      const home = (await t.tb('GET', '/work-dir')).body.dir;
      assert.deepEqual(r.body, [
        { file: `${home}/fnd/a.txt`, line: 2, content: 'two needle' },
        { file: `${home}/fnd/sub/b.py`, line: 1, content: 'needle first' },
      ]);
      // A file as the root, and a literal (not regex) pattern.
      assert.equal((await t.tb('GET', `/files/find${q({ path: 'fnd/a.txt', pattern: 'o' })}`)).body.length, 2);
      assert.deepEqual((await t.tb('GET', `/files/find${q({ path: 'fnd', pattern: 'ne.dle' })}`)).body, []);
      assertDaemonError(await t.tb('GET', `/files/find${q({ path: 'fnd' })}`), 400, 'BAD_REQUEST');
      assertDaemonError(await t.tb('GET', `/files/find${q({ path: 'nowhere', pattern: 'x' })}`), 404, 'FILE_NOT_FOUND');
      assertDaemonError(await t.tb('GET', `/files/find?path=fnd%00x&pattern=x`), 400, 'INVALID_FILE_PATH');
      assertDaemonError(await t.tb('GET', `/files/find?path=%FF%FE&pattern=x`), 400, 'INVALID_FILE_PATH');
    } finally {
      await t.sh('rm -rf fnd');
    }
  });

  it('searches names by glob, recursively', async () => {
    await t.sh('mkdir -p srch/a/b && touch srch/x.ts srch/a/y.ts srch/a/b/z.tsx srch/a/b/w.md');
    try {
      const home = (await t.tb('GET', '/work-dir')).body.dir;
      const ts = await t.tb('GET', `/files/search${q({ path: 'srch', pattern: '*.ts' })}`);
      assert.equal(ts.status, 200);
      assert.deepEqual(ts.body.files.sort(), [`${home}/srch/a/y.ts`, `${home}/srch/x.ts`]);
      const deep = await t.tb('GET', `/files/search${q({ path: `${home}/srch`, pattern: 'a/**/*.{tsx,md}' })}`);
      assert.deepEqual(deep.body.files.sort(), [`${home}/srch/a/b/w.md`, `${home}/srch/a/b/z.tsx`]);
      assertDaemonError(
        await t.tb('GET', `/files/search${q({ path: 'srch', pattern: '[unclosed' })}`),
        400,
        'BAD_REQUEST',
      );
      assertDaemonError(
        await t.tb('GET', `/files/search${q({ path: 'srch/x.ts', pattern: '*' })}`),
        400,
        'INVALID_FILE_PATH',
      );
    } finally {
      await t.sh('rm -rf srch');
    }
  });

  it('replaces text across files and reports each file', async () => {
    await t.sh(
      `mkdir -p rep/d && printf 'foo bar foo\\n' > rep/a.txt && chmod 640 rep/a.txt && printf 'no match\\n' > rep/b.txt && printf 'x\\0foo' > rep/bin`,
    );
    try {
      const r = await t.tb('POST', '/files/replace', {
        files: ['rep/a.txt', 'rep/b.txt', 'rep/missing', 'rep/d', 'rep/bin'],
        pattern: 'foo',
        newValue: 'q.$1',
      });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.map((x: Json) => [x.file, x.success]),
        [
          ['rep/a.txt', true],
          ['rep/b.txt', true],
          ['rep/missing', false],
          ['rep/d', false],
          ['rep/bin', false],
        ],
      );
      assert.match(r.body[2].error, /no such file/);
      assert.equal((await t.sh('cat rep/a.txt; stat -c %a rep/a.txt')).result, 'q.$1 bar q.$1\n640\n');
      assert.equal((await t.sh('cat rep/b.txt')).result, 'no match\n');
      assertDaemonError(
        await t.tb('POST', '/files/replace', { files: ['rep/a.txt'], pattern: '', newValue: 'x' }),
        400,
        'INVALID_REQUEST_BODY',
      );
      assertDaemonError(
        await t.tb('POST', '/files/replace', { files: [], pattern: 'a', newValue: 'x' }),
        400,
        'INVALID_REQUEST_BODY',
      );
    } finally {
      await t.sh('rm -rf rep');
    }
  });
});
