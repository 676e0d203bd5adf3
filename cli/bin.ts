#!/usr/bin/env node
// The `berth` command line: declarations only; each action lives in commands/.
import sade from 'sade';
import { BERTH_VERSION } from '../common/version.js';
import { action } from './output.js';

// Each command's module is loaded when that command runs: `berth version` must
// not load the server (serve/up boot it), and client commands only their own code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command takes its own arguments; sade passes what it parsed
type Action = (...args: any[]) => Promise<void | number>;
const lazy = <M>(load: () => Promise<M>, pick: (m: M) => Action) =>
  action(async (...args: unknown[]) => pick(await load())(...args));
const up = () => import('./commands/up.js');
const serve = () => import('./commands/serve.js');
const login = () => import('./commands/login.js');
const sandbox = () => import('./commands/sandbox.js');
const misc = () => import('./commands/misc.js');
const mcp = () => import('./commands/mcp.js');
const organization = () => import('./commands/organization.js');
const keys = () => import('./commands/keys.js');
const audit = () => import('./commands/audit.js');
const ssh = () => import('./commands/ssh.js');
const snapshot = () => import('./commands/snapshot.js');
const volume = () => import('./commands/volume.js');
const registry = () => import('./commands/registry.js');
const docs = () => import('./commands/docs.js');
const runner = () => import('./commands/runner.js');
const runnerTokens = () => import('./commands/runner-tokens.js');

const prog = sade('berth').version(BERTH_VERSION);
prog
  .option('--api-url', 'Berth API URL (or BERTH_API_URL; default from the CLI config)')
  .option('--api-key', 'API key (or BERTH_API_KEY)')
  .option('--json', 'machine-readable output');

prog
  .command('up')
  .describe('Install what is missing (Docker engine, sandbox image) and run the server')
  .option('--port', 'port (PORT, default 3000)')
  .option('--host', 'interface (BERTH_HOST, default 127.0.0.1)')
  .example('up')
  .example('up --port 8080 --host 0.0.0.0')
  .action(lazy(up, (m) => m.up));

prog
  .command('setup')
  .describe('Only the install steps of `up` (Docker engine, sandbox image)')
  .action(lazy(up, (m) => m.setup));

prog
  .command('serve')
  .describe('Run the server in the foreground (API, toolbox, MCP, UI); BERTH_LOCAL_RUNNER=false: an API-only replica')
  .option('--port', 'port (PORT, default 3000)')
  .option('--host', 'interface (BERTH_HOST)')
  .option('--home', 'data folder (BERTH_HOME, default ~/.berth)')
  .example('serve --port 3000')
  .action(lazy(serve, (m) => m.serve));

prog
  .command('login')
  .describe('Save the API URL and key the CLI uses')
  .example('login --api-url http://berth.example:3000/api --api-key berth_…')
  .action(lazy(login, (m) => m.login));

prog
  .command('sandbox create')
  .describe('Create a sandbox and wait until it is started')
  .option('--name', 'name (default: the id)')
  .option('--image', 'image (default berth/sandbox-base:latest)')
  .option('--cpu', 'cpu limit (cores)')
  .option('--memory', 'memory limit (GiB)')
  .option('--disk', 'disk limit (GiB)')
  .option('--env', 'KEY=VALUE, repeatable')
  .option('--label', 'KEY=VALUE, repeatable')
  .option('--auto-stop', 'idle minutes before auto-stop (0 = never)')
  .option('--network-block-all', 'no network at all')
  .example('sandbox create --name demo --label team=ai --cpu 1 --memory 2')
  .action(lazy(sandbox, (m) => m.create));

prog
  .command('sandbox list')
  .describe('List sandboxes')
  .option('--label', 'KEY=VALUE filter, repeatable')
  .option('--state', 'state filter, repeatable')
  .example('sandbox list --label team=ai --json')
  .action(lazy(sandbox, (m) => m.list));

prog
  .command('sandbox info <id>')
  .describe('Show one sandbox (id or name)')
  .example('sandbox info demo')
  .action(lazy(sandbox, (m) => m.info));
for (const a of ['start', 'stop', 'archive', 'delete'] as const) {
  prog
    .command(`sandbox ${a} <id>`)
    .describe(`${a[0]!.toUpperCase()}${a.slice(1)} a sandbox and wait for it`)
    .example(`sandbox ${a} demo`)
    .action(lazy(sandbox, (m) => m.lifecycle(a)));
}
prog
  .command('sandbox preview <id> <port>')
  .describe('Print a URL of a port in the sandbox that works as given (in a browser or with curl)')
  .option('--signed', 'a signed URL that expires (default 60 s) and can be revoked')
  .option('--expires', 'seconds a signed URL is valid (1-86400)')
  .example('sandbox preview demo 8080')
  .example('sandbox preview demo 8080 --signed --expires 600')
  .action(lazy(sandbox, (m) => m.preview));

prog
  .command('sandbox exec <id>')
  .describe([
    'Run a command in a sandbox: output streams as it comes, stdin is passed through, Ctrl-C is forwarded;',
    'exits with its exit code.',
    'One argument after -- is a shell command line; several are a program and its arguments, passed as they are.',
  ])
  .option('-t, --tty', 'run it on a terminal (interactive programs, colours)', false)
  .option('--cwd', 'working directory')
  .option('--timeout', 'seconds before the command is killed (exit code 124)')
  .option('--env', 'KEY=VALUE, repeatable')
  .example('sandbox exec demo -- python3 -c "print(6*7)"')
  .example("sandbox exec demo -- 'for i in 1 2 3; do echo $i; sleep 1; done'")
  .example('sandbox exec -t demo -- bash')
  .action(lazy(sandbox, (m) => m.exec));

prog
  .command('sandbox snapshot <id> <name>')
  .describe("Save the sandbox's files as a snapshot new sandboxes can start from")
  .example('sandbox snapshot demo demo-v1')
  .action(lazy(sandbox, (m) => m.snapshot));
prog
  .command('sandbox fork <id>')
  .describe('Create an independent copy of a sandbox (same files and settings)')
  .option('--name', 'name of the copy')
  .example('sandbox fork demo --name demo-2')
  .action(lazy(sandbox, (m) => m.fork));
prog
  .command('sandbox pause <id>')
  .describe('Freeze a sandbox (memory kept, no CPU); `sandbox start` resumes it')
  .example('sandbox pause demo')
  .action(lazy(sandbox, (m) => m.pause));
prog
  .command('sandbox resize <id>')
  .describe('Change cpu and memory (live) or grow the disk')
  .option('--cpu', 'cores')
  .option('--memory', 'GiB')
  .option('--disk', 'GiB (grow only)')
  .example('sandbox resize demo --cpu 2 --memory 4')
  .action(lazy(sandbox, (m) => m.resize));

prog
  .command('snapshot list')
  .describe('List snapshots')
  .example('snapshot list --json')
  .action(lazy(snapshot, (m) => m.list));
prog
  .command('snapshot create <name>')
  .describe('Register an image, or build one from a Dockerfile (with an optional context folder)')
  .option('--image', 'an image on the host or in a registry')
  .option('--dockerfile', 'path of a Dockerfile to build')
  .option('--context', 'folder whose files the Dockerfile COPYs (uploaded to the object store)')
  .option('--follow', 'stream the build log and wait for the result')
  .option('--wait', 'wait until the snapshot is active (or failed)')
  .option('--cpu', 'cpu of sandboxes created from it')
  .option('--memory', 'memory (GiB) of sandboxes created from it')
  .option('--disk', 'disk (GiB) of sandboxes created from it')
  .example('snapshot create py312 --image python:3.12-slim')
  .example('snapshot create app --dockerfile ./Dockerfile --context . --follow')
  .action(lazy(snapshot, (m) => m.create));
prog
  .command('snapshot logs <name>')
  .describe('Print the build log of a snapshot')
  .option('--follow', 'keep printing until the build ends')
  .example('snapshot logs app --follow')
  .action(lazy(snapshot, (m) => m.logs));
prog
  .command('snapshot delete <name>')
  .describe('Delete a snapshot (refused while sandboxes use it)')
  .example('snapshot delete app')
  .action(lazy(snapshot, (m) => m.remove));

prog
  .command('volume list')
  .describe('List volumes')
  .example('volume list --json')
  .action(lazy(volume, (m) => m.list));
prog
  .command('volume create <name>')
  .describe('Create a volume')
  .example('volume create data')
  .action(lazy(volume, (m) => m.create));
prog
  .command('volume delete <name>')
  .describe('Delete a volume (refused while sandboxes mount it)')
  .example('volume delete data')
  .action(lazy(volume, (m) => m.remove));

prog
  .command('registry add <name>')
  .describe('Add a private registry; its password is read from stdin or BERTH_REGISTRY_PASSWORD')
  .option('--url', 'registry host[:port]')
  .option('--username', 'user name')
  .option('--password-stdin', 'read the password from stdin')
  .option('--project', 'project (informational)')
  .example('registry add team --url registry.example.com:5000 --username ci --password-stdin')
  .action(lazy(registry, (m) => m.add));
prog
  .command('registry list')
  .describe('List private registries (passwords are never shown)')
  .example('registry list')
  .action(lazy(registry, (m) => m.list));
prog
  .command('registry remove <name>')
  .describe('Remove a private registry')
  .example('registry remove team')
  .action(lazy(registry, (m) => m.remove));

prog
  .command('sandbox ssh <id>')
  .describe(
    'Log into a sandbox with the system ssh (a one-minute token; the host key is checked); with -- cmd, run that',
  )
  .example('sandbox ssh demo')
  .example('sandbox ssh demo -- uname -a')
  .action(lazy(ssh, (m) => m.sandboxSsh));

prog
  .command('mcp')
  .describe('Serve MCP on stdin/stdout (for agents that launch a command), bridged to the server at BERTH_API_URL')
  .option(
    '--tools',
    'tool groups: core (default), git, lsp, terminal, images, volumes, telemetry, all (or BERTH_MCP_TOOLS)',
  )
  .example('mcp')
  .example('mcp --tools core,git')
  .action(lazy(mcp, (m) => m.mcp));

prog
  .command('organization list')
  .describe('List your organizations (* marks the one in use)')
  .option('--all', 'every organization (Berth administrators)')
  .example('organization list --json')
  .action(lazy(organization, (m) => m.list));
prog
  .command('organization create <name>')
  .describe('Create an organization you own')
  .example('organization create "Platform team"')
  .action(lazy(organization, (m) => m.create));
prog
  .command('organization use <organization>')
  .describe("Act in this organization from now on (id or name; `default` = the API key's own)")
  .example('organization use "Platform team"')
  .action(lazy(organization, (m) => m.use));
prog
  .command('organization invite <email>')
  .describe('Invite someone by email; prints the one-time link to send them')
  .option('--role', 'owner, admin or member (default member)')
  .option('--org', 'organization (default: the one in use)')
  .example('organization invite alice@example.com --role admin')
  .action(lazy(organization, (m) => m.invite));
prog
  .command('organization members')
  .describe('List the members of the organization')
  .option('--org', 'organization (default: the one in use)')
  .example('organization members --json')
  .action(lazy(organization, (m) => m.members));
prog
  .command('organization accept <token>')
  .describe('Accept an invitation with its one-time token; prints your new API key')
  .option('--save', 'save the new key in the CLI config')
  .example('organization accept berth_inv_… --save')
  .action(lazy(organization, (m) => m.accept));
prog
  .command('organization usage')
  .describe('Quotas, what is used, and CPU/memory/disk minutes per sandbox')
  .option('--org', 'organization (default: the one in use)')
  .example('organization usage --json')
  .action(lazy(organization, (m) => m.usage));
prog
  .command('organization quota')
  .describe('Show the quotas; with flags, change them (Berth administrators; a number, unlimited, or default)')
  .option('--org', 'organization (default: the one in use)')
  .option('--sandboxes', 'sandboxes')
  .option('--cpu', 'cores of running sandboxes')
  .option('--memory', 'GiB of memory of running sandboxes')
  .option('--disk', 'GiB of disk of running sandboxes')
  .option('--snapshots', 'snapshots')
  .option('--volumes', 'volumes')
  .option('--lifetime', 'minutes a sandbox may live')
  .example('organization quota --org team-a --sandboxes 20 --cpu 16 --lifetime 1440')
  .action(lazy(organization, (m) => m.quota));

prog
  .command('audit')
  .describe("The organization's audit log, newest first")
  .option('--action', 'action or prefix, e.g. sandbox or sandbox.create')
  .option('--actor', 'user id, key id or email')
  .option('--target', 'target id')
  .option('--outcome', 'success, denied or failure')
  .option('--since', 'ISO-8601 time')
  .option('--until', 'ISO-8601 time')
  .option('--limit', 'most entries (default 50)')
  .example('audit --action sandbox.delete --since 2026-01-01T00:00:00Z')
  .action(lazy(audit, (m) => m.audit));

prog
  .command('keys list')
  .describe('List your API keys in this organization')
  .option('--all', "every member's keys (owners and admins)")
  .example('keys list')
  .action(lazy(keys, (m) => m.list));
prog
  .command('keys create <name>')
  .describe('Create an API key (shown once); no --permission makes a read-only key')
  .option('--permission', 'e.g. write:sandboxes; repeatable or comma-separated')
  .option('--expires', 'ISO-8601 expiry time')
  .example('keys create ci --permission write:sandboxes,delete:sandboxes --expires 2026-12-31T00:00:00Z')
  .action(lazy(keys, (m) => m.create));
prog
  .command('keys revoke <name>')
  .describe('Revoke one of your API keys (effective at once)')
  .example('keys revoke ci')
  .action(lazy(keys, (m) => m.revoke));

prog
  .command('ssh-key add [file]')
  .describe('Register a public key (default ~/.ssh/id_ed25519.pub) for `ssh <sandbox>@host -p 2222`')
  .option('--name', 'a name for it (default: the key comment)')
  .example('ssh-key add ~/.ssh/id_ed25519.pub --name laptop')
  .action(lazy(ssh, (m) => m.keyAdd));
prog
  .command('ssh-key list')
  .describe('List your SSH keys')
  .example('ssh-key list --json')
  .action(lazy(ssh, (m) => m.keyList));
prog
  .command('ssh-key remove <key>')
  .describe('Remove an SSH key (name or fingerprint); its open sessions end')
  .example('ssh-key remove laptop')
  .action(lazy(ssh, (m) => m.keyRemove));

prog
  .command('runner')
  .describe([
    'Run a remote runner on this Docker host: it dials the API (no inbound port) and reports its capacity.',
    'Needs BERTH_API_URL and BERTH_RUNNER_TOKEN (from `berth runner token create`);',
    'DOCKER_HOST and BERTH_HOME as usual.',
  ])
  .example('runner')
  .action(lazy(runner, (m) => m.run));
prog
  .command('runner token')
  .describe('List runners (as `runner token list`)')
  .action(lazy(runnerTokens, (m) => m.list));
prog
  .command('runner token create')
  .describe('Register a runner and print its token (shown once; Berth administrators)')
  .option('--name', 'runner name')
  .option('--label', 'KEY=VALUE, repeatable (e.g. region=eu)')
  .example('runner token create --name docker-eu-1 --label region=eu')
  .action(lazy(runnerTokens, (m) => m.create));
prog
  .command('runner token list')
  .describe('List runners with their state, labels and last heartbeat')
  .example('runner token list --json')
  .action(lazy(runnerTokens, (m) => m.list));
prog
  .command('runner token remove <id>')
  .describe('Remove a runner (id or name) and revoke its token; its link closes at once')
  .option('--force', 'an unreachable runner with sandboxes: restore them from their last archive, or mark them lost')
  .example('runner token remove docker-eu-1')
  .example('runner token remove docker-eu-1 --force')
  .action(lazy(runnerTokens, (m) => m.remove));
prog
  .command('runner drain <id>')
  .describe('Drain a runner (id or name): no new sandboxes go to it; --migrate moves its sandboxes elsewhere')
  .option('--migrate', 'archive each sandbox, move it to another runner and start it there if it ran; waits')
  .example('runner drain docker-eu-1')
  .example('runner drain docker-eu-1 --migrate')
  .action(lazy(runnerTokens, (m) => m.setState('drain')));
prog
  .command('runner enable <id>')
  .describe('Enable a drained runner again (id or name)')
  .example('runner enable docker-eu-1')
  .action(lazy(runnerTokens, (m) => m.setState('enable')));

prog
  .command('docs [topic]')
  .describe('Show where the documentation is; with a topic, print that guide')
  .example('docs')
  .example('docs mcp')
  .action(lazy(docs, (m) => m.docs));
prog
  .command('version')
  .describe('Print the version')
  .action(lazy(misc, (m) => m.version));
prog
  .command('autocomplete')
  .describe('Print a shell completion script (source <(berth autocomplete))')
  .action(lazy(misc, (m) => m.autocomplete));

prog.parse(process.argv);
