// Stateful code interpreter contract (compat spec §4.7, §6.6).
import { z } from 'zod';
import { envMap } from './daemon.js';

export const DEFAULT_CONTEXT_ID = 'default';
/** Reference default when a run gives no timeout; 0 means none. */
export const DEFAULT_RUN_TIMEOUT_SEC = 600;
/** Close code that makes the SDK raise DaytonaTimeoutError. */
export const CLOSE_TIMEOUT = 4008;

export const CreateContextRequest = z.object({
  cwd: z.string().optional(),
  language: z.string().optional(),
});
export type CreateContextRequest = z.infer<typeof CreateContextRequest>;

export interface InterpreterContext {
  id: string;
  cwd: string;
  createdAt: string;
  /** Its Python process is running. */
  active: boolean;
  language: string;
}

/** The one text message a client sends after the socket opens. */
export const RunRequest = z.object({
  code: z.string(),
  contextId: z.string().optional(),
  envs: envMap.optional(),
  /** Seconds; absent = the default, 0 = no limit. */
  timeout: z.number().min(0).max(86_400).optional(),
});
export type RunRequest = z.infer<typeof RunRequest>;

/** Messages to the client: the reference always sends all five keys. */
export interface RunChunk {
  type: 'stdout' | 'stderr' | 'error' | 'control';
  text: string;
  name: string;
  value: string;
  traceback: string;
}

export const chunk = (type: RunChunk['type'], fields: Partial<Omit<RunChunk, 'type'>>): RunChunk => ({
  type,
  text: '',
  name: '',
  value: '',
  traceback: '',
  ...fields,
});
