// Which warm-pool classes can serve a create, and why none can.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { classKey, fittingClasses, type PoolClass, type WarmRequest } from '../../orchestrator/warmpool/spec.js';

const base: PoolClass = {
  image: 'berth/sandbox-base:latest',
  command: [],
  user: '1000:1000',
  cpu: 2,
  memory: 4,
  disk: 10,
};
const small: PoolClass = { ...base, cpu: 1, memory: 1, disk: 2 };
const req = (o: Partial<WarmRequest> = {}): WarmRequest => ({ ...base, runtime: 'runc', volumes: 0, ...o });

it('a request at or below a class fits it; the smallest class that fits comes first', () => {
  assert.deepEqual(fittingClasses(req(), [base]), { keys: [classKey(base)] });
  assert.deepEqual(fittingClasses(req({ cpu: 1, memory: 1, disk: 2 }), [base, small]), {
    keys: [classKey(small), classKey(base)],
  });
  assert.deepEqual(fittingClasses(req({ memory: 2 }), [small, base]), { keys: [classKey(base)] });
});

it('says why no class fits', () => {
  assert.deepEqual(fittingClasses(req(), []), { miss: 'off' });
  assert.deepEqual(fittingClasses(req({ volumes: 1 }), [base]), { miss: 'volumes' });
  assert.deepEqual(fittingClasses(req({ runtime: 'gvisor' }), [base]), { miss: 'runtime' });
  assert.deepEqual(fittingClasses(req({ image: 'other:1' }), [base]), { miss: 'image' });
  assert.deepEqual(fittingClasses(req({ command: ['sleep', 'infinity'] }), [base]), { miss: 'image' });
  assert.deepEqual(fittingClasses(req({ user: 'root' }), [base]), { miss: 'user' });
  assert.deepEqual(fittingClasses(req({ memory: 8 }), [base]), { miss: 'class' });
  assert.deepEqual(fittingClasses(req({ disk: 11 }), [base]), { miss: 'class' });
});
