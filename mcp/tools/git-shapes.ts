import { z } from 'zod';

export const repoPath = z.string().min(1).describe('folder of the git repository in the sandbox');
export const credentials = {
  username: z.string().optional().describe('user for HTTPS remotes'),
  password: z.string().optional().describe('password or token for HTTPS remotes (never stored in the sandbox)'),
};
