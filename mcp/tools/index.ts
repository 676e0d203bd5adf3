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
  exec,
  fsRead,
  fsWrite,
  fsEdit,
  fsList,
  fsStat,
  fsMkdir,
  fsMove,
  fsDelete,
];

export const toolsFor = (groups: readonly ToolGroup[]): ToolDef[] => ALL_TOOLS.filter((t) => groups.includes(t.group));
