import { BERTH_VERSION } from '../../common/version.js';

export async function version(f: { json?: boolean }): Promise<void> {
  process.stdout.write(f.json ? JSON.stringify({ version: BERTH_VERSION, node: process.version }) + '\n' : `berth ${BERTH_VERSION} (node ${process.version})\n`);
}

const COMMANDS = ['up', 'serve', 'login', 'sandbox', 'organization', 'audit', 'keys', 'ssh-key', 'mcp', 'version', 'autocomplete', 'help'];
const SANDBOX = ['create', 'list', 'info', 'start', 'stop', 'archive', 'delete', 'exec', 'ssh'];

/** Prints a bash/zsh completion script: `source <(berth autocomplete)`. */
export async function autocomplete(): Promise<void> {
  process.stdout.write(`# berth completion — add to your shell: source <(berth autocomplete)
_berth_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "\$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${COMMANDS.join(' ')}" -- "$cur") )
  elif [ "\${COMP_WORDS[1]}" = "sandbox" ] && [ "\$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=( $(compgen -W "${SANDBOX.join(' ')}" -- "$cur") )
  fi
}
if [ -n "\$ZSH_VERSION" ]; then autoload -U +X bashcompinit && bashcompinit; fi
complete -F _berth_complete berth
`);
}
