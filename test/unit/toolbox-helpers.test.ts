// Pure helpers behind the toolbox capabilities: globs, session markers and
// logs, git output parsing and error mapping, credential handling, ports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globMatcher, globToRegExp } from '../../daemon/files/glob.js';
import { matchLines } from '../../daemon/files/search-routes.js';
import { MarkerScanner } from '../../daemon/sessions/markers.js';
import { OutputLog, frame } from '../../daemon/sessions/output-log.js';
import { commandFrame, shellQuote } from '../../daemon/sessions/shell-session.js';
import { classifyGitFailure, scrub } from '../../daemon/git/classify.js';
import { parseLog, parsePorcelainV2 } from '../../daemon/git/status.js';
import { isPolicyBlocked, remoteHost } from '../../daemon/git/network.js';
import { refName, configKey } from '../../daemon/git/refs.js';
import { credentialArgs, splitUrlCredentials } from '../../daemon/git/run.js';
import { parseListening } from '../../daemon/system/ports.js';
import { applyEnvUpdate } from '../../daemon/system/routes.js';
import { toCommonJs as toCjs, TranspileError } from '../../daemon/code-run/interpreters.js';
import { parseCharts } from '../../daemon/code-run/routes.js';
import { shellExitCode } from '../../daemon/exit-status.js';
import type { FindMatch } from '../../common/wire/toolbox.js';

describe('globs', () => {
  it('matches names with *, ?, classes and alternatives', () => {
    const m = (p: string, name: string) => globMatcher(p)(name, name);
    assert.ok(m('*.ts', 'a.ts'));
    assert.ok(!m('*.ts', 'a.tsx'));
    assert.ok(m('file?.txt', 'file1.txt'));
    assert.ok(m('[ab]*.md', 'beta.md'));
    assert.ok(!m('[!ab]*.md', 'beta.md'));
    assert.ok(m('*.{js,ts}', 'x.js') && m('*.{js,ts}', 'x.ts') && !m('*.{js,ts}', 'x.py'));
    assert.ok(m('a\\*b', 'a*b') && !m('a\\*b', 'axb'));
    assert.ok(m('[a-c]', 'b') && !m('[a-c]', 'd'));
  });

  it('matches relative paths when the pattern has a slash; ** spans folders', () => {
    const m = globMatcher('src/**/*.ts');
    assert.ok(m('src/a.ts', 'a.ts'));
    assert.ok(m('src/x/y/a.ts', 'a.ts'));
    assert.ok(!m('lib/a.ts', 'a.ts'));
    assert.ok(globToRegExp('**').test('any/depth/at/all'));
    assert.ok(!globToRegExp('*').test('a/b'));
  });

  it('rejects bad patterns with a 4xx AppError', () => {
    for (const bad of ['', '[abc', 'a{b', 'x\\', 'a**b', '[z-a]']) {
      assert.throws(
        () => globToRegExp(bad),
        (e: { code?: string; reason?: string }) => e.code === 'invalid_argument' && e.reason === 'BAD_REQUEST',
        bad,
      );
    }
  });
});

describe('find in text', () => {
  it('reports 1-based line numbers, one per matching line', () => {
    const out: FindMatch[] = [];
    matchLines('/f', 'a\nneedle one needle\nb\r\nneedle\n', 'needle', out, 100);
    assert.deepEqual(out, [
      { file: '/f', line: 2, content: 'needle one needle' },
      { file: '/f', line: 4, content: 'needle' },
    ]);
    const few: FindMatch[] = [];
    matchLines('/f', 'x\nx\nx\n', 'x', few, 2);
    assert.equal(few.length, 2);
  });
});

describe('session markers', () => {
  it('finds markers split across chunks and passes everything else through', () => {
    const sc = new MarkerScanner('n0nce');
    const marker = Buffer.from('\x1en0nce:7:42\x1e');
    const all = Buffer.concat([Buffer.from('hello '), marker, Buffer.from('tail')]);
    const events = [];
    for (let i = 0; i < all.length; i += 3) events.push(...sc.feed(all.subarray(i, i + 3)));
    events.push({ type: 'data', data: sc.flush() } as const);
    const data = Buffer.concat(
      events.filter((e) => e.type === 'data').map((e) => (e as { data: Buffer }).data),
    ).toString();
    assert.equal(data, 'hello tail');
    assert.deepEqual(
      events.filter((e) => e.type === 'marker').map((e) => (e as { payload: string }).payload),
      ['7:42'],
    );
  });

  it('ignores separators that do not start our marker', () => {
    const sc = new MarkerScanner('abc');
    const ev = sc.feed(Buffer.from('a\x1exyz\x1eb'));
    assert.equal(Buffer.concat(ev.map((e) => (e as { data: Buffer }).data)).toString(), 'a\x1exyz\x1eb');
  });

  it('quotes commands so any text reaches eval unchanged', () => {
    assert.equal(shellQuote(`it's "x" $y`), `'it'\\''s "x" $y'`);
    const f = commandFrame('N', 3, 'echo hi', true);
    assert.match(f, /^eval 'echo hi' <&3 3<&-; /);
    assert.match(commandFrame('N', 3, 'cat', false), /<\/dev\/null 3<&-/);
    assert.ok(f.endsWith('\n'));
  });
});

describe('output log', () => {
  it('reads from byte offsets, demuxes streams, and long-polls', async () => {
    const log = new OutputLog(1 << 20);
    log.append(1, Buffer.from('abc'));
    log.append(2, Buffer.from('ERR'));
    assert.deepEqual(log.logs(), { output: 'abcERR', stdout: 'abc', stderr: 'ERR' });
    const r = log.read(2);
    assert.equal(r.output, 'cERR');
    assert.equal(r.stdout, 'c');
    assert.equal(r.nextOffset, 6);
    const waited = log.waitBeyond(6, 5000);
    setTimeout(() => log.append(1, Buffer.from('!')), 20);
    const t0 = Date.now();
    await waited;
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(log.read(6).output, '!');
    const t1 = Date.now();
    await log.waitBeyond(7, 50);
    assert.ok(Date.now() - t1 >= 40);
  });

  it('keeps multi-byte characters whole and drops the oldest bytes past the cap', () => {
    const log = new OutputLog(8);
    const euro = Buffer.from('€');
    log.append(1, euro.subarray(0, 1));
    log.append(1, euro.subarray(1));
    assert.equal(log.logs().stdout, '€');
    log.append(1, 'abcdefgh');
    const r = log.read(0);
    assert.equal(r.output, 'abcdefgh');
    assert.equal(r.skipped, 3);
    assert.equal(r.offset, 3);
  });

  it('follows with §6.4 framing and ends on close', () => {
    const log = new OutputLog(1 << 20);
    log.append(1, 'out');
    const got: Buffer[] = [];
    let ended = false;
    log.follow((c) => (c ? got.push(frame(c)) : (ended = true)));
    log.append(2, 'err');
    log.close();
    assert.deepEqual(
      Buffer.concat(got),
      Buffer.concat([Buffer.from([1, 1, 1]), Buffer.from('out'), Buffer.from([2, 2, 2]), Buffer.from('err')]),
    );
    assert.ok(ended);
  });
});

describe('git output', () => {
  it('parses porcelain v2 with branch info, renames, unmerged and untracked files', () => {
    const raw = [
      '# branch.oid 1234567890abcdef',
      '# branch.head main',
      '# branch.upstream origin/main',
      '# branch.ab +2 -1',
      '1 M. N... 100644 100644 100644 aaa bbb staged.txt',
      '1 .M N... 100644 100644 100644 aaa bbb dir/with space.txt',
      '1 A. N... 000000 100644 100644 000 bbb added.txt',
      '1 .D N... 100644 100644 000000 aaa aaa gone.txt',
      '2 R. N... 100644 100644 100644 aaa aaa R100 new.txt',
      'old.txt',
      'u UU N... 100644 100644 100644 100644 a b c both.txt',
      '? new/untracked.txt',
      '',
    ].join('\0');
    const s = parsePorcelainV2(raw);
    assert.equal(s.currentBranch, 'main');
    assert.equal(s.upstream, 'origin/main');
    assert.equal(s.branchPublished, true);
    assert.equal(s.ahead, 2);
    assert.equal(s.behind, 1);
    assert.equal(s.detached, false);
    assert.deepEqual(s.fileStatus, [
      { name: 'staged.txt', staging: 'Modified', worktree: 'Unmodified', extra: '' },
      { name: 'dir/with space.txt', staging: 'Unmodified', worktree: 'Modified', extra: '' },
      { name: 'added.txt', staging: 'Added', worktree: 'Unmodified', extra: '' },
      { name: 'gone.txt', staging: 'Unmodified', worktree: 'Deleted', extra: '' },
      { name: 'new.txt', staging: 'Renamed', worktree: 'Unmodified', extra: 'old.txt' },
      { name: 'both.txt', staging: 'Updated but unmerged', worktree: 'Updated but unmerged', extra: '' },
      { name: 'new/untracked.txt', staging: 'Untracked', worktree: 'Untracked', extra: '' },
    ]);
    const d = parsePorcelainV2('# branch.oid abcdef1234567890\0# branch.head (detached)\0');
    assert.equal(d.detached, true);
    assert.equal(d.branchPublished, false);
  });

  it('parses log records with multi-line messages', () => {
    const raw =
      'h1\0Ann\0a@x\x002024-01-01T00:00:00+00:00\0subject\n\nbody\n\x1e\nh2\0Bob\0b@x\x002024-01-02T00:00:00+00:00\0two\n\x1e';
    assert.deepEqual(parseLog(raw), [
      { hash: 'h1', author: 'Ann', email: 'a@x', timestamp: '2024-01-01T00:00:00+00:00', message: 'subject\n\nbody' },
      { hash: 'h2', author: 'Bob', email: 'b@x', timestamp: '2024-01-02T00:00:00+00:00', message: 'two' },
    ]);
  });

  it('maps git failures to the daemon codes of the compat spec', () => {
    const cases: [string, string, string][] = [
      ["fatal: Authentication failed for 'https://h/r.git/'", 'GIT_AUTH_FAILED', 'unauthorized'],
      ["fatal: could not read Username for 'https://h': terminal prompts disabled", 'GIT_AUTH_FAILED', 'unauthorized'],
      [
        "remote: Repository not found.\nfatal: repository 'https://h/x.git/' not found",
        'GIT_REPO_NOT_FOUND',
        'not_found',
      ],
      ['fatal: not a git repository (or any of the parent directories): .git', 'GIT_REPO_NOT_FOUND', 'not_found'],
      ['fatal: Remote branch nope not found in upstream origin', 'GIT_BRANCH_NOT_FOUND', 'not_found'],
      ["fatal: a branch named 'x' already exists", 'GIT_BRANCH_EXISTS', 'conflict'],
      [
        ' ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs',
        'GIT_PUSH_REJECTED',
        'conflict',
      ],
      [' ! [remote rejected] main -> main (pre-receive hook declined)', 'GIT_REMOTE_REJECTED', 'unprocessable'],
      [
        'error: Your local changes to the following files would be overwritten by checkout:',
        'GIT_DIRTY_WORKTREE',
        'conflict',
      ],
      ['CONFLICT (content): Merge conflict in a.txt\nAutomatic merge failed', 'GIT_MERGE_CONFLICT', 'conflict'],
      ["fatal: unable to access 'https://h/': Could not resolve host: h", 'GIT_TRANSPORT_FAILED', 'bad_gateway'],
    ];
    for (const [msg, reason, code] of cases) {
      const e = classifyGitFailure('op', msg, 128);
      assert.equal(e.reason, reason, msg);
      assert.equal(e.code, code, msg);
      assert.ok(e.hint, msg);
    }
  });

  it('scrubs URL credentials and secrets from messages', () => {
    assert.equal(
      scrub("fatal: unable to access 'https://bob:hunter22@h/r.git/'"),
      "fatal: unable to access 'https://***@h/r.git/'",
    );
    assert.equal(scrub('token hunter22 leaked', ['hunter22']), 'token *** leaked');
    const e = classifyGitFailure('clone', "fatal: Authentication failed for 'https://u:s3cret@h/'", 128, ['s3cret']);
    assert.doesNotMatch(e.message, /s3cret/);
  });

  it('validates names that become git arguments', () => {
    assert.equal(refName('feature/x-1'), 'feature/x-1');
    for (const bad of ['-f', 'a..b', 'a b', 'x.lock', 'x/', 'a~1', ''])
      assert.throws(() => refName(bad), /invalid branch name/);
    assert.equal(configKey('user.email'), 'user.email');
    assert.throws(() => configKey('--global'), /invalid git config key/);
  });
});

describe('git credentials and network policy', () => {
  it('sends credentials through fd 3 only, never in the arguments', () => {
    const c = credentialArgs({ username: 'bob', password: 's3cret-token' });
    assert.equal(c.fd3In, 'username=bob\npassword=s3cret-token\n');
    assert.doesNotMatch(c.pre.join(' '), /s3cret|bob/);
    assert.deepEqual(c.pre.slice(0, 2), ['-c', 'credential.helper=']);
    assert.deepEqual(credentialArgs({}), { pre: [] });
  });

  it('moves user-info out of clone URLs', () => {
    const r = splitUrlCredentials('https://bob:p%40ss@h.example/r.git', {});
    assert.equal(r.url, 'https://h.example/r.git');
    assert.deepEqual(r.creds, { username: 'bob', password: 'p@ss' });
    const explicit = splitUrlCredentials('https://bob:x@h/r.git', { username: 'a', password: 'b' });
    assert.deepEqual(explicit.creds, { username: 'a', password: 'b' });
    assert.equal(splitUrlCredentials('/tmp/repo.git', {}).url, '/tmp/repo.git');
  });

  it('knows which addresses the egress policy blocks', () => {
    for (const ip of [
      '169.254.169.254',
      '10.1.2.3',
      '172.17.0.1',
      '192.168.1.1',
      '::ffff:10.0.0.1',
      'fe80::1',
      'fd00::2',
    ])
      assert.ok(isPolicyBlocked(ip), ip);
    for (const ip of ['127.0.0.1', '8.8.8.8', '::1', '2001:db8::1']) assert.ok(!isPolicyBlocked(ip), ip);
    assert.equal(remoteHost('https://user@github.com/x/y.git'), 'github.com');
    assert.equal(remoteHost('git@github.com:x/y.git'), 'github.com');
    assert.equal(remoteHost('/tmp/repo.git'), null);
  });
});

describe('system helpers', () => {
  it('lists LISTEN sockets from /proc/net/tcp text', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1',
      '   1: 0100007F:1F91 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 2 1',
    ].join('\n');
    assert.deepEqual(parseListening(table), [8080]);
  });

  it('applies env updates in place', () => {
    const env: Record<string, string> = { A: '1', B: '2', TOKEN: 'secret-x' };
    assert.deepEqual(applyEnvUpdate(env, { set: { C: '3' }, unset: ['A', 'NOPE'], unsetValuePrefix: 'secret-' }), {
      set: ['C'],
      unset: ['A', 'TOKEN'],
    });
    assert.deepEqual(env, { B: '2', C: '3' });
  });
});

describe('code-run helpers', () => {
  // The built daemon folder, where sucrase is a file of its own (scripts/bundle-daemon.mjs).
  const bundleDir = fileURLToPath(new URL('../../daemon-bundle/', import.meta.url));

  it('turns TypeScript and ES-module JavaScript into CommonJS, with the sucrase built beside the daemon', async () => {
    assert.ok(existsSync(join(bundleDir, 'sucrase.cjs')));
    const toCommonJs = (code: string, language: 'javascript' | 'typescript') => toCjs(code, language, bundleDir);
    const ts = await toCommonJs(
      'import os from "os";\nenum E { A, B }\nconst n: number = E.B;\nconsole.log(os.EOL, n);',
      'typescript',
    );
    assert.match(ts, /require\('os'\)/);
    assert.doesNotMatch(ts, /: number/);
    assert.equal(await toCommonJs('console.log(1)', 'javascript'), 'console.log(1)');
    assert.match(await toCommonJs('import fs from "fs"', 'javascript'), /require\('fs'\)/);
    await assert.rejects(
      () => toCommonJs('const x: = 1', 'typescript'),
      (e: unknown) =>
        e instanceof TranspileError && /^code\.ts\(1,\d+\): error: Unexpected token/.test((e as Error).message),
    );
  });

  it('reports signal deaths as a shell does (128 + the number), for every signal', () => {
    assert.equal(shellExitCode(3, null), 3);
    assert.equal(shellExitCode(null, 'SIGKILL'), 137);
    assert.equal(shellExitCode(null, 'SIGUSR1'), 138);
    assert.equal(shellExitCode(null, null), -1);
  });

  it('parses chart lines and skips partial ones', () => {
    const raw = Buffer.from('{"type":"line","elements":[]}\n{"type":"bar","elem');
    assert.deepEqual(parseCharts(raw), [{ type: 'line', elements: [] }]);
  });
});
