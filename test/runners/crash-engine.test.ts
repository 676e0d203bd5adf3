// kill -9 and runner loss on a second Docker engine with the test image, apart from second-engine.test.ts so
// the two run side by side (scripts/test.mjs runs the rig files all at once).
import { describeOnEngineRig } from './on-engine-rig.js';
import { crashRemoteCases } from './crash-remote.cases.js';
import { lostRunnerCases } from './lost-runner.cases.js';

describeOnEngineRig('kill -9 and loss on a second Docker engine', (engine) => {
  crashRemoteCases(engine);
  lostRunnerCases(engine);
});
