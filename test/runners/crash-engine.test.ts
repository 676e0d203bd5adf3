// kill -9 and runner loss on a second Docker engine with the base image (test/helpers/engine-rig.ts), apart
// from second-engine.test.ts so the two run side by side (scripts/test.mjs runs the rig files all at once):
// each group starts its own server and `berth runner` on the rig and removes what it made.
import { after, before, describe } from 'node:test';
import { TEST_IMAGE } from '../helpers/stack.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { skipUnless } from '../helpers/strict.js';
import { crashRemoteCases } from './crash-remote.cases.js';
import { lostRunnerCases } from './lost-runner.cases.js';

describe('kill -9 and loss on a second Docker engine', { skip: skipUnless(engineRigMissing()) }, () => {
  let rig: EngineRig | undefined;
  before(async () => {
    rig = await startEngineRig(TEST_IMAGE);
  });
  after(async () => {
    await rig?.close();
  });
  const engine = () => rig!;
  crashRemoteCases(engine);
  lostRunnerCases(engine);
});
