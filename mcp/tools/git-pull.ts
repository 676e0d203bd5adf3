import { gitSyncTool } from './git-sync.js';

export default gitSyncTool(
  'pull',
  'Pull',
  'Fetches and merges the upstream of the current branch (or branch from remote).',
);
