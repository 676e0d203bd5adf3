// Which one-shot commands skip the shell: only those the shell would split into
// words and run as a program, found where the shell would find it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookPath, plainArgv } from '../../daemon/process/plain-command.js';

describe('plain commands', () => {
  it('splits words the shell gives no meaning to', () => {
    assert.deepEqual(plainArgv('  python3 app.py --port=8080 a,b  ', {}), ['python3', 'app.py', '--port=8080', 'a,b']);
    assert.deepEqual(plainArgv('git status', {}), ['git', 'status']);
    assert.deepEqual(plainArgv('echo hi there', {}), ['echo', 'hi', 'there']);
  });

  it('leaves to the shell what it would do more with', () => {
    for (const c of [
      'echo $HOME',
      'ls *.py',
      'echo "quoted"',
      "echo 'quoted'",
      'a && b',
      'a; b',
      'a | b',
      'cat < f',
      'echo x > f',
      'ls ~',
      'echo {a,b}',
      'echo a\\ b',
      'FOO=1 env',
      'cd /tmp',
      'export A=1',
      'exit 3',
      'pwd',
      'printf x',
      'kill 1',
      'echo -n x',
      'echo --help',
      'if true',
      'ls # comment',
      '',
      '   ',
    ])
      assert.equal(plainArgv(c, {}), null, c);
    assert.equal(plainArgv('ls -la', { BASH_ENV: '/etc/functions' }), null, 'BASH_ENV may define an ls function');
  });

  it('finds the program on the given PATH, or as a path from the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-plain-'));
    try {
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', 'tool'), '#!/bin/sh\n');
      chmodSync(join(dir, 'bin', 'tool'), 0o755);
      writeFileSync(join(dir, 'bin', 'data'), 'not a program');
      assert.equal(lookPath('tool', `/nonexistent:${dir}/bin`, '/'), join(dir, 'bin', 'tool'));
      assert.equal(lookPath('tool', 'bin', dir), join(dir, 'bin', 'tool'), 'a relative PATH entry is from cwd');
      assert.equal(lookPath('./bin/tool', undefined, dir), './bin/tool', 'a path stays as given');
      assert.equal(lookPath('data', `${dir}/bin`, '/'), null, 'not executable');
      assert.equal(lookPath('bin', dir, '/'), null, 'a folder is no program');
      assert.equal(lookPath('tool', undefined, dir), null, 'no PATH: the shell decides');
      assert.equal(lookPath('missing', `${dir}/bin`, '/'), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
