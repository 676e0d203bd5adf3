import { BERTH_VERSION } from '../../common/version.js';

export async function version(f: { json?: boolean }): Promise<void> {
  process.stdout.write(
    f.json
      ? JSON.stringify({ version: BERTH_VERSION, node: process.version }) + '\n'
      : `berth ${BERTH_VERSION} (node ${process.version})\n`,
  );
}

/** Every command and its subcommands, as `berth --help` lists them (test/cli/coverage.test.ts checks). */
const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  up: [],
  setup: [],
  serve: [],
  login: [],
  sandbox: [
    ...['create', 'list', 'info', 'start', 'stop', 'archive', 'delete'],
    ...['preview', 'exec', 'snapshot', 'fork', 'pause', 'resize', 'ssh'],
  ],
  snapshot: ['list', 'create', 'logs', 'delete'],
  volume: ['list', 'create', 'delete'],
  registry: ['add', 'list', 'remove'],
  mcp: [],
  organization: ['list', 'create', 'use', 'invite', 'members', 'accept', 'usage', 'quota'],
  audit: [],
  keys: ['list', 'create', 'revoke'],
  'ssh-key': ['add', 'list', 'remove'],
  runner: ['token', 'drain', 'enable'],
  docs: [],
  version: [],
  autocomplete: [],
  help: [],
};

/** Third words: `berth runner token <create|list|remove>`. */
const SUBCOMMANDS: Readonly<Record<string, readonly string[]>> = { 'runner token': ['create', 'list', 'remove'] };

/** Prints a bash/zsh completion script: `source <(berth autocomplete)`. */
export async function autocomplete(): Promise<void> {
  const cases = Object.entries(COMMANDS)
    .filter(([, subs]) => subs.length)
    .map(([c, subs]) => `      ${c}) COMPREPLY=( $(compgen -W "${subs.join(' ')}" -- "$cur") ) ;;`)
    .join('\n');
  const third = Object.entries(SUBCOMMANDS)
    .map(([c, subs]) => `      "${c}") COMPREPLY=( $(compgen -W "${subs.join(' ')}" -- "$cur") ) ;;`)
    .join('\n');
  process.stdout.write(`# berth completion — add to your shell: source <(berth autocomplete)
_berth_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "\$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${Object.keys(COMMANDS).join(' ')}" -- "$cur") )
  elif [ "\$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
  elif [ "\$COMP_CWORD" -eq 3 ]; then
    case "\${COMP_WORDS[1]} \${COMP_WORDS[2]}" in
${third}
    esac
  fi
}
if [ -n "\$ZSH_VERSION" ]; then autoload -U +X bashcompinit && bashcompinit; fi
complete -F _berth_complete berth
`);
}
