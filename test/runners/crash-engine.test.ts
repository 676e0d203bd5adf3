// kill -9 and runner loss on a second Docker engine, apart from second-engine.test.ts so the two run side by
// side (scripts/test.mjs runs the rig files all at once). Their sandboxes need a shell, echo and cat only:
// the rig and the servers use the 1 MB busybox image (SMALL_IMAGE), not the 1.48 GB base image.
import { describeOnEngineRig } from './on-engine-rig.js';
import { SMALL_IMAGE } from '../helpers/stack.js';
import { crashRemoteCases } from './crash-remote.cases.js';
import { lostRunnerCases } from './lost-runner.cases.js';

describeOnEngineRig(
  'kill -9 and loss on a second Docker engine',
  (engine) => {
    crashRemoteCases(engine);
    lostRunnerCases(engine);
  },
  SMALL_IMAGE,
);
