// Remote runners on a second Docker engine with the test image, shared by the groups below; kill -9 and
// runner loss are in crash-engine.test.ts, on a rig of their own, so the two files run side by side.
import { describeOnEngineRig } from './on-engine-rig.js';
import { remoteClientCases } from './remote-client.cases.js';
import { placementCases } from './placement.cases.js';
import { apiOnlyCases } from './api-only.cases.js';

describeOnEngineRig('on a second Docker engine', (engine) => {
  remoteClientCases(engine);
  placementCases(engine);
  apiOnlyCases(engine);
});
