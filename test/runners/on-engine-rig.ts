// One describe with a second Docker engine holding `image` (test/helpers/engine-rig.ts; the 1.48 GB base
// image by default, which takes a minute to copy in) for the groups `register` declares: each gets the rig
// through `engine()`, starts its own server and `berth runner` on it, and removes what it made; the rig goes
// when the last group is done.
import { after, before, describe } from 'node:test';
import { TEST_IMAGE } from '../helpers/stack.js';
import { engineRigMissing, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';
import { skipUnless } from '../helpers/strict.js';

export function describeOnEngineRig(
  title: string,
  register: (engine: () => EngineRig) => void,
  image: string = TEST_IMAGE,
): void {
  describe(title, { skip: skipUnless(engineRigMissing()) }, () => {
    let rig: EngineRig | undefined;
    before(async () => {
      rig = await startEngineRig(image);
    });
    after(async () => {
      await rig?.close();
    });
    register(() => rig!);
  });
}
