// Everything that needs a second Docker engine with the base image, on one
// engine rig (test/helpers/engine-rig.ts): starting one copies the 1.5 GB
// image in, which takes longer than most of the tests. Each group starts its
// own server and `berth runner` on it and removes what it made.
import { after, before, describe } from 'node:test';
import { TEST_IMAGE } from '../helpers/stack.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { skipUnless } from '../helpers/strict.js';
import { remoteClientCases } from './remote-client.cases.js';
import { placementCases } from './placement.cases.js';
import { crashRemoteCases } from './crash-remote.cases.js';
import { lostRunnerCases } from './lost-runner.cases.js';

describe('on a second Docker engine', { skip: skipUnless(engineRigMissing()) }, () => {
  let rig: EngineRig | undefined;
  before(async () => {
    rig = await startEngineRig(TEST_IMAGE);
  });
  after(async () => {
    await rig?.close();
  });
  const engine = () => rig!;
  remoteClientCases(engine);
  placementCases(engine);
  crashRemoteCases(engine);
  lostRunnerCases(engine);
});
