// Audit rows are tied to real methods by the compiler: a row for a method the
// service does not have, or one that reads a parameter the method does not
// take, fails the build (the @ts-expect-error lines below would then be
// unused, which is itself an error). At run time the wrapper records a call
// through its row and refuses a principal without the row's permission.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../common/errors.js';
import { audited, type AuditTable } from '../../orchestrator/audit/wrap.js';
import { VOLUME_ACTIONS } from '../../orchestrator/audit/actions.js';
import type { AuditLog, AuditRecord } from '../../orchestrator/audit/log.js';
import type { Principal } from '../../orchestrator/principal.js';
import type { VolumeService } from '../../orchestrator/volumes/service.js';

const principal = (permissions: string[]): Principal => ({
  organizationId: 'o1',
  userId: 'u1',
  keyId: 'k1',
  permissions,
  role: 'member',
  systemAdmin: false,
  source: { frontend: 'rest' },
});

describe('typed audit tables', () => {
  it('reject rows the service cannot have, at compile time', () => {
    const renamed: AuditTable<VolumeService> = {
      // @ts-expect-error a row for a method VolumeService does not have
      creat: { action: 'volume.create' },
    };
    const shifted: AuditTable<VolumeService> = {
      // @ts-expect-error remove(p, id) has no third parameter to read
      remove: { action: 'volume.delete', target: (a) => ({ type: 'volume', id: a[2] }) },
    };
    const unowned: AuditTable<{ sweep(id: string): Promise<void> }> = {
      // @ts-expect-error a method without a principal first must say who acted
      sweep: { action: 'x' },
    };
    assert.ok(renamed && shifted && unowned);
  });

  it('records a call through its row, and refuses a principal without its permission', async () => {
    const rows: { p: Principal; r: AuditRecord }[] = [];
    const log = { record: (p: Principal, r: AuditRecord) => void rows.push({ p, r }) } as unknown as AuditLog;
    const service = {
      create: async (_p: Principal, name: string) => ({ id: `vol-${name}` }),
      remove: async () => {},
    } as unknown as VolumeService;
    const volumes = audited(service, VOLUME_ACTIONS, log);
    await volumes.create(principal(['write:volumes']), 'data');
    await assert.rejects(volumes.create(principal([]), 'nope'), (e) => e instanceof AppError && e.code === 'forbidden');
    assert.deepEqual(
      rows.map(({ r }) => [r.action, r.outcome, r.target?.id ?? null]),
      [
        ['volume.create', 'success', 'vol-data'],
        ['volume.create', 'denied', null],
      ],
    );
  });
});
