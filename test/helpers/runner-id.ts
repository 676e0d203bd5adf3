// Runner ids of test servers. `npm test` gives each run its own prefix
// (BERTH_TEST_RUN), so its left-behind check only ever sees and removes
// containers of its own run, never those of another run on the same engine.
import { randomBytes } from 'node:crypto';

export const testRunnerId = (): string => `${process.env.BERTH_TEST_RUN || 'test'}-${randomBytes(4).toString('hex')}`;
