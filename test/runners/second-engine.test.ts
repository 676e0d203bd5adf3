// Remote runners on a second Docker engine with the test image (test/helpers/engine-rig.ts), shared by the
// groups below; kill -9 and runner loss are in crash-engine.test.ts, on a rig of their own, so the two files
// run side by side. Each group starts its own server and `berth runner` on the rig and removes what it made.
import { after, before, describe } from 'node:test';
import { TEST_IMAGE } from '../helpers/stack.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { skipUnless } from '../helpers/strict.js';
import { remoteClientCases } from './remote-client.cases.js';
import { placementCases } from './placement.cases.js';
import { apiOnlyCases } from './api-only.cases.js';

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
  apiOnlyCases(engine);
});
