// What a runner is asked to start in tests that drive a runner directly: the
// test image, the smallest sizes, open network, runc — with the test's own
// sandbox id and organization, and whatever else it changes.
import type { SandboxRuntimeSpec } from '../../common/wire/runner.js';
import { TEST_IMAGE } from './stack.js';

export const runtimeSpec = (
  o: Pick<SandboxRuntimeSpec, 'sandboxId' | 'organizationId'> & Partial<SandboxRuntimeSpec>,
): SandboxRuntimeSpec => ({
  image: TEST_IMAGE,
  env: {},
  cpu: 1,
  memoryGiB: 1,
  diskGiB: 2,
  network: { blockAll: false, allowList: [] },
  runtime: 'runc',
  ...o,
});
