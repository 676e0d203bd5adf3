// Every Berth tool, in the order tools/list shows them. One tool per file.
import type { ToolDef, ToolGroup } from '../tool.js';
import sandboxCreate from './sandbox-create.js';
import sandboxList from './sandbox-list.js';
import sandboxGet from './sandbox-get.js';
import sandboxStart from './sandbox-start.js';
import sandboxStop from './sandbox-stop.js';
import sandboxArchive from './sandbox-archive.js';
import sandboxDelete from './sandbox-delete.js';
import sandboxSetLabels from './sandbox-set-labels.js';
import sandboxSetAutostop from './sandbox-set-autostop.js';
import exec from './exec.js';
import fsRead from './fs-read.js';
import fsWrite from './fs-write.js';
import fsEdit from './fs-edit.js';
import fsList from './fs-list.js';
import fsStat from './fs-stat.js';
import fsMkdir from './fs-mkdir.js';
import fsMove from './fs-move.js';
import fsDelete from './fs-delete.js';
import execStart from './exec-start.js';
import processList from './process-list.js';
import processOutput from './process-output.js';
import processInput from './process-input.js';
import processKill from './process-kill.js';
import codeRun from './code-run.js';
import fsSearch from './fs-search.js';
import portPreviewUrl from './port-preview-url.js';
import sandboxSshAccess from './sandbox-ssh-access.js';
import sandboxPause from './sandbox-pause.js';
import sandboxResize from './sandbox-resize.js';
import sandboxSnapshot from './sandbox-snapshot.js';
import sandboxFork from './sandbox-fork.js';
import snapshotList from './snapshot-list.js';
import snapshotCreate from './snapshot-create.js';
import snapshotDelete from './snapshot-delete.js';
import registryList from './registry-list.js';
import registryAdd from './registry-add.js';
import registryRemove from './registry-remove.js';
import volumeList from './volume-list.js';
import volumeCreate from './volume-create.js';
import volumeDelete from './volume-delete.js';
import sandboxMetrics from './sandbox-metrics.js';
import sandboxLogs from './sandbox-logs.js';
import gitClone from './git-clone.js';
import gitStatus from './git-status.js';
import gitDiff from './git-diff.js';
import gitLog from './git-log.js';
import gitBranch from './git-branch.js';
import gitCheckout from './git-checkout.js';
import gitAdd from './git-add.js';
import gitCommit from './git-commit.js';
import gitPush from './git-push.js';
import gitPull from './git-pull.js';
import lspStart from './lsp-start.js';
import lspDiagnostics from './lsp-diagnostics.js';
import lspCompletions from './lsp-completions.js';
import lspDefinition from './lsp-definition.js';
import lspHover from './lsp-hover.js';
import lspSymbols from './lsp-symbols.js';
import lspStop from './lsp-stop.js';
import terminalCreate from './terminal-create.js';
import terminalSend from './terminal-send.js';
import terminalRead from './terminal-read.js';
import terminalResize from './terminal-resize.js';
import terminalClose from './terminal-close.js';

export const ALL_TOOLS: readonly ToolDef[] = [
  sandboxCreate,
  sandboxList,
  sandboxGet,
  sandboxStart,
  sandboxStop,
  sandboxArchive,
  sandboxDelete,
  sandboxSetLabels,
  sandboxSetAutostop,
  sandboxPause,
  sandboxResize,
  sandboxSnapshot,
  sandboxFork,
  exec,
  execStart,
  processList,
  processOutput,
  processInput,
  processKill,
  codeRun,
  fsRead,
  fsWrite,
  fsEdit,
  fsList,
  fsStat,
  fsMkdir,
  fsMove,
  fsDelete,
  fsSearch,
  portPreviewUrl,
  sandboxSshAccess,
  gitClone,
  gitStatus,
  gitDiff,
  gitLog,
  gitBranch,
  gitCheckout,
  gitAdd,
  gitCommit,
  gitPush,
  gitPull,
  lspStart,
  lspDiagnostics,
  lspCompletions,
  lspDefinition,
  lspHover,
  lspSymbols,
  lspStop,
  terminalCreate,
  terminalSend,
  terminalRead,
  terminalResize,
  terminalClose,
  snapshotList,
  snapshotCreate,
  snapshotDelete,
  registryList,
  registryAdd,
  registryRemove,
  volumeList,
  volumeCreate,
  volumeDelete,
  sandboxMetrics,
  sandboxLogs,
];

export const toolsFor = (groups: readonly ToolGroup[]): ToolDef[] => ALL_TOOLS.filter((t) => groups.includes(t.group));
