// The requests of the audit walk (test/security/audit-walk.test.ts): the
// fixtures each mutating route acts on, made through the API the way a user
// would, and the parameters, queries and bodies that make each call succeed.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createSandbox, type Stack } from '../helpers/stack.js';
import { docker } from '../helpers/docker.js';
import type { Json } from '../helpers/json.js';
import { as, join } from './helpers.js';

/** Where the git routes work: a folder the sandbox user may write (the documented examples name the SDK's). */
export const REPO = '/tmp/walk-repo';
/** The snapshot fixture's own tag of the base image: sandboxes run the base, so nothing uses it. */
export const SNAPSHOT_REPO = `berth-test/audit-walk-${randomUUID().slice(0, 8)}`;

/** Path parameters that are not resources: a fixed valid value. */
export const FIXED: Record<string, string> = {
  minutes: '5',
  port: '3000',
  isPublic: 'true',
  sid: 'audit-walk',
  sessionId: 'audit-walk',
  cid: 'cmd',
  commandId: 'cmd',
};

const LSP = { languageId: 'python', pathToProject: '/tmp', uri: 'file:///tmp/walk.py' };
const BOUNDARY = 'walk-boundary';
/** Query strings and bodies that are not JSON, for routes that need them. */
export const QUERIES: Record<string, string> = {
  'POST /toolbox/:sandboxId/files/folder': 'path=/tmp/walk-dir&mode=755',
  'DELETE /toolbox/:sandboxId/files': 'path=/tmp/walk-del&recursive=true',
  'POST /toolbox/:sandboxId/files/move': 'source=/tmp/walk-move&destination=/tmp/walk-moved',
  'POST /toolbox/:sandboxId/files/upload': 'path=/tmp/walk-up.txt',
  'POST /toolbox/:sandboxId/files/upload-v2': 'path=/tmp/walk-up2.txt',
  'POST /toolbox/:sandboxId/files/permissions': 'path=/tmp/walk.txt&mode=644',
};
export const RAW: Record<string, { body: string; contentType: string }> = {
  'POST /toolbox/:sandboxId/files/upload': { body: 'walked', contentType: 'application/octet-stream' },
  'POST /toolbox/:sandboxId/files/upload-v2': { body: 'walked', contentType: 'application/octet-stream' },
  'POST /toolbox/:sandboxId/files/bulk-upload': {
    body: [
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files[0].path"\r\n\r\n/tmp/walk-bulk.txt\r\n`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files[0].file"; filename="f"\r\n`,
      `Content-Type: application/octet-stream\r\n\r\nwalked\r\n--${BOUNDARY}--\r\n`,
    ].join(''),
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
  },
};

/** Bodies for routes whose declaration has no example (or whose example needs our fixtures). */
export const bodies = (fx: Fixtures): Record<string, unknown> => ({
  'POST /api/invitations/accept': { token: fx.invitationToken },
  'POST /toolbox/:sandboxId/files/replace': { files: ['/tmp/walk.txt'], pattern: 'hi', newValue: 'ho' },
  'POST /toolbox/:sandboxId/lsp/start': LSP,
  'POST /toolbox/:sandboxId/lsp/stop': LSP,
  'POST /toolbox/:sandboxId/lsp/did-open': LSP,
  'POST /toolbox/:sandboxId/lsp/did-close': LSP,
  'POST /toolbox/:sandboxId/lsp/completions': { ...LSP, position: { line: 0, character: 0 } },
  'POST /toolbox/:sandboxId/lsp/diagnostics': LSP,
  'POST /toolbox/:sandboxId/lsp/hover': { ...LSP, position: { line: 0, character: 0 } },
  'POST /toolbox/:sandboxId/lsp/definition': { ...LSP, position: { line: 0, character: 0 } },
  'POST /api/sandbox': { name: `walk-${randomUUID().slice(0, 6)}`, cpu: 1, memory: 1, disk: 1 },
  'POST /api/sandbox/:id/resize': { cpu: 1 },
  'POST /api/sandbox/:id/network-settings': { networkBlockAll: false },
  'PUT /api/sandbox/:id/labels': { labels: { walked: 'yes' } },
  'PUT /api/sandbox/:id/secrets': { secrets: [{ WALK_SECRET: fx.secret.name }] },
  'POST /api/sandbox/:id/snapshot': { name: `walk-snap-${randomUUID().slice(0, 6)}` },
  'POST /api/sandbox/:id/fork': { name: `walk-fork-${randomUUID().slice(0, 6)}` },
  'POST /api/snapshots': { name: `walk-snap-${randomUUID().slice(0, 6)}`, imageName: 'berth/sandbox-base:latest' },
  'PUT /api/snapshots/:id/warm-pool': { size: 0 },
  'POST /api/volumes': { name: `walk-vol-${randomUUID().slice(0, 6)}` },
  'POST /api/secret': { name: `WALK_${randomUUID().slice(0, 6).toUpperCase()}`, value: 'v' },
  'PATCH /api/secret/:id': { value: 'changed' },
  'POST /api/docker-registry': {
    name: `walk-${randomUUID().slice(0, 6)}`,
    url: 'registry.walk.example:5000',
    username: 'u',
    password: 'p',
  },
  'PATCH /api/docker-registry/:id': { username: 'u2' },
  'POST /api/api-keys': { name: `walk-${randomUUID().slice(0, 6)}`, permissions: [] },
  'POST /api/runners': { name: `walk-${randomUUID().slice(0, 6)}` },
  'POST /api/organizations': { name: `walk-${randomUUID().slice(0, 6)}` },
  'POST /api/organizations/:id/invitations': { email: `walk-${randomUUID().slice(0, 6)}@example.test` },
  'POST /api/organizations/:id/users/:userId/access': { role: 'admin' },
  'PUT /api/organizations/:id/quotas': { sandboxes: 1000 },
  'PATCH /api/organizations/:id/quotas': { sandboxes: 1000 },
  'PUT /api/organizations/:id/defaults': { networkBlockAll: false },
  'POST /api/users/me/ssh-keys': { name: `walk-${randomUUID().slice(0, 6)}`, publicKey: sshKey() },
  'POST /toolbox/:sandboxId/process/execute': { command: 'touch /tmp/walked' },
  'POST /toolbox/:sandboxId/process/code-run': { code: 'print(1)', language: 'python' },
  'POST /toolbox/:sandboxId/process/session': { sessionId: 'audit-walk' },
  'POST /toolbox/:sandboxId/process/session/:sid/command/:cid/input': { data: 'walked\n' },
  'POST /toolbox/:sandboxId/files/bulk-download': { paths: ['/etc/hostname'] },
  'POST /toolbox/:sandboxId/git/clone': { url: 'file:///tmp/walk-origin.git', path: '/tmp/walk-clone' },
  'POST /toolbox/:sandboxId/git/remotes': { path: REPO, name: 'upstream', url: '/tmp/walk-origin.git' },
});

function sshKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const type = Buffer.from('ssh-ed25519');
  const len = (b: Buffer) => Buffer.from([0, 0, 0, b.length]);
  return `ssh-ed25519 ${Buffer.concat([len(type), type, len(raw), raw]).toString('base64')} walk@test`;
}

export type Fixtures = {
  orgId: string;
  toolboxSandbox: Json;
  sandbox: Json;
  snapshot: Json;
  volume: Json;
  secret: Json;
  registry: Json;
  invitationId: string;
  invitationToken: string;
  member: { userId: string; keyName: string };
  keyName: string;
  sshKeyId: string;
  previewToken: string;
  contextId: string;
  command: { sessionId: string; cmdId: string };
  /** Organizations of the member's where the admin is invited (accept, then leave; decline), and an empty one. */
  joined: { orgId: string; invitationId: string };
  declined: { orgId: string; invitationId: string };
  emptyOrgId: string;
  memberKey: string;
  /** A registered runner (no `berth runner` behind it): drained, enabled and removed by the walk. */
  runnerId: string;
};

/** Makes every fixture as the stack's administrator; returns them and a key of the same organization with no permission. */
export async function makeFixtures(stack: Stack): Promise<{ fx: Fixtures; readOnly: string }> {
  const owner = as(stack, stack.key);
  // The snapshot's own tag of the base image: sandboxes run the base, so nothing uses it and it can be deleted.
  await docker.getImage('berth/sandbox-base:latest').tag({ repo: SNAPSHOT_REPO, tag: 'latest' });
  const me = (await owner('GET', '/api-keys/current')).body;
  const ro = await owner('POST', '/api-keys', { name: `read-only-${randomUUID().slice(0, 6)}`, permissions: [] });
  assert.ok(ro.status < 300, JSON.stringify(ro.body));
  const readOnly = ro.body.value as string;
  const toolboxSandbox = await createSandbox(stack, { name: `walk-tb-${randomUUID().slice(0, 6)}` });
  const sandbox = await createSandbox(stack, { name: `walk-life-${randomUUID().slice(0, 6)}` });
  const snapshot = (
    await owner('POST', '/snapshots', {
      name: `walk-snap-${randomUUID().slice(0, 6)}`,
      imageName: `${SNAPSHOT_REPO}:latest`,
    })
  ).body;
  const volume = (await owner('POST', '/volumes', { name: `walk-vol-${randomUUID().slice(0, 6)}` })).body;
  const secret = (
    await owner('POST', '/secret', { name: `WALK_${randomUUID().slice(0, 4).toUpperCase()}`, value: 's' })
  ).body;
  const registry = (
    await owner('POST', '/docker-registry', {
      name: 'walk-registry',
      url: 'registry.walk.example:5000',
      username: 'walk',
      password: 'p',
    })
  ).body;
  const keyName = `walk-victim-${randomUUID().slice(0, 6)}`;
  assert.ok((await owner('POST', '/api-keys', { name: keyName, permissions: [] })).status < 300);
  const m = await join(
    stack,
    stack.key,
    me.organizationId,
    `walk-member-${randomUUID().slice(0, 6)}@example.test`,
    'admin',
  );
  const memberKey = `member-key-${randomUUID().slice(0, 6)}`;
  assert.ok((await as(stack, m.key)('POST', '/api-keys', { name: memberKey, permissions: [] })).status < 300);
  const inv = await owner('POST', `/organizations/${me.organizationId}/invitations`, {
    email: `walk-${randomUUID().slice(0, 6)}@example.test`,
  });
  const byToken = await owner('POST', `/organizations/${me.organizationId}/invitations`, {
    email: `walk-token-${randomUUID().slice(0, 6)}@example.test`,
  });
  const setup = await owner('POST', `/toolbox/${toolboxSandbox.id}/process/execute`, {
    command: [
      'mkdir -p /tmp/walk-del/x /tmp/walk-move && echo hi > /tmp/walk.txt && echo "x = 1" > /tmp/walk.py',
      // A repository with a remote, so every git route has something to work on.
      'git init -q --bare -b main /tmp/walk-origin.git',
      `git init -q -b main ${REPO} && cd ${REPO}`,
      'echo readme > README.md && git add . && git -c user.name=w -c user.email=w@x commit -qm first',
      'git remote add origin /tmp/walk-origin.git && git push -q -u origin main && echo new > new.txt',
    ].join(' && '),
  });
  assert.equal(setup.body.exitCode, 0, JSON.stringify(setup.body));
  const session = 'walk-fixture';
  const s1 = await owner('POST', `/toolbox/${toolboxSandbox.id}/process/session`, { sessionId: session });
  assert.ok(s1.status < 300, JSON.stringify(s1.body));
  const cmd = await owner('POST', `/toolbox/${toolboxSandbox.id}/process/session/${session}/exec`, {
    command: 'read line; sleep 600',
    runAsync: true,
  });
  assert.ok(cmd.status < 300, JSON.stringify(cmd.body));
  const ctxr = await owner('POST', `/toolbox/${toolboxSandbox.id}/process/interpreter/context`, {});
  assert.ok(ctxr.status < 300, JSON.stringify(ctxr.body));
  const signed = await owner('GET', `/sandbox/${sandbox.id}/ports/3000/signed-preview-url`);
  assert.ok(signed.status < 300, JSON.stringify(signed.body));
  const ssh = await owner('POST', '/users/me/ssh-keys', { name: 'walk-fixture', publicKey: sshKey() });
  assert.equal(ssh.status < 300, true, JSON.stringify(ssh.body));
  const members = (await owner('GET', `/organizations/${me.organizationId}/users`)).body as Json[];
  const email = members.find((x) => x.userId === me.userId)?.email;
  assert.ok(email, JSON.stringify(members));
  const invitedTo = async () => {
    const org = await as(stack, m.key)('POST', '/organizations', { name: `walk-${randomUUID().slice(0, 6)}` });
    assert.ok(org.status < 300, JSON.stringify(org.body));
    const i = await as(stack, m.key)(
      'POST',
      `/organizations/${org.body.id}/invitations`,
      { email },
      {
        'x-daytona-organization-id': org.body.id,
      },
    );
    assert.ok(i.status < 300, JSON.stringify(i.body));
    return { orgId: org.body.id as string, invitationId: i.body.id as string };
  };
  const joined = await invitedTo();
  const declined = await invitedTo();
  const empty = await owner('POST', '/organizations', { name: `walk-empty-${randomUUID().slice(0, 6)}` });
  assert.ok(empty.status < 300, JSON.stringify(empty.body));
  const runner = await owner('POST', '/runners', { name: `walk-runner-${randomUUID().slice(0, 6)}` });
  assert.ok(runner.status < 300, JSON.stringify(runner.body));
  const fx: Fixtures = {
    runnerId: runner.body.id,
    joined,
    declined,
    emptyOrgId: empty.body.id,
    memberKey: m.key,
    orgId: me.organizationId,
    toolboxSandbox,
    sandbox,
    snapshot,
    volume,
    secret,
    registry,
    invitationId: inv.body.id,
    invitationToken: byToken.body.token,
    member: { userId: m.userId, keyName: memberKey },
    keyName,
    sshKeyId: ssh.body.id,
    previewToken: signed.body.token,
    contextId: ctxr.body.id,
    command: { sessionId: session, cmdId: cmd.body.cmdId },
  };
  return { fx, readOnly };
}
