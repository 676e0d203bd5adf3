// Builds the default sandbox image if it is missing or its recipe changed
// (the script checks a recipe hash and returns at once when up to date).
import { fileURLToPath } from 'node:url';
import { AppError } from '../../common/errors.js';
import { run } from './run.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/build-base-image.sh', import.meta.url));

export async function ensureBaseImage(image: string): Promise<void> {
  const code = await run('bash', [SCRIPT], { env: { ...process.env, BERTH_BASE_IMAGE: image } });
  if (code !== 0)
    throw new AppError('unavailable', `building ${image} failed (exit ${code})`, {
      hint: 'see the output above; `bash scripts/build-base-image.sh --force` rebuilds from scratch',
    });
}
