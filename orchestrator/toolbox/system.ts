// Environment, resource metrics and listening ports of a sandbox.
import type { EnvUpdateRequest, SystemMetrics } from '../../common/wire/toolbox.js';
import type { Principal } from '../principal.js';
import type { ToolboxAccess } from './index.js';

export class SystemToolbox {
  constructor(private readonly access: ToolboxAccess) {}

  /** Changes the environment new processes, sessions and terminals start with (running ones keep theirs). */
  updateEnv(p: Principal, id: string, req: EnvUpdateRequest): Promise<{ set: string[]; unset: string[] }> {
    return this.access.run(p, id, ({ daemon }) => daemon.call('POST', '/env', { body: req }));
  }
  metrics(p: Principal, id: string): Promise<SystemMetrics> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<SystemMetrics>('GET', '/system/metrics'));
  }
  ports(p: Principal, id: string): Promise<{ ports: number[] }> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<{ ports: number[] }>('GET', '/port'));
  }
  portInUse(p: Principal, id: string, port: number): Promise<{ isInUse: boolean }> {
    return this.access.run(p, id, ({ daemon }) => daemon.call<{ isInUse: boolean }>('GET', `/port/${port}/in-use`));
  }
}
