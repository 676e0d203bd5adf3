import { gitSyncTool } from './git-sync.js';

export default gitSyncTool(
  'push',
  'Push',
  'Pushes the current branch (or branch) to its remote. set_upstream records the remote branch as upstream.',
);
