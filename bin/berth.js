#!/usr/bin/env node
// Thin launcher so `npx berth` and the package bin work from a checkout.
import('../dist/cli/bin.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/bin.js')) {
    console.error('berth: not built yet. Run `npm install` (it builds) or `npm run build`.');
    process.exit(1);
  }
  throw err;
});
