import { writeCliConfig, readCliConfig, cliConfigPath } from '../../boot/cli-config.js';
import { AppError } from '../../common/errors.js';
import { ApiClient } from '../client.js';

export async function login(opts: { 'api-url'?: string; 'api-key'?: string }): Promise<void> {
  const apiUrl = (opts['api-url'] || process.env.BERTH_API_URL)?.replace(/\/+$/, '');
  const apiKey = opts['api-key'] || process.env.BERTH_API_KEY;
  if (!apiUrl || !apiKey)
    throw new AppError('invalid_argument', 'login needs --api-url and --api-key', {
      hint: 'berth login --api-url http://host:3000/api --api-key berth_…',
    });
  // Prove the key works before saving it.
  await new ApiClient({ apiUrl, apiKey }).request('GET', '/sandbox', undefined, { limit: '1' });
  writeCliConfig({ ...readCliConfig(), apiUrl, apiKey, organizationId: undefined });
  process.stdout.write(`logged in to ${apiUrl} (saved in ${cliConfigPath()})\n`);
}
