// /computeruse/* (compat spec §4.10): desktop automation is not part of
// Berth sandboxes; every path answers 501 with what to do instead.
import { AppError } from '../../../common/errors.js';
import type { ApiRouter } from '../../context.js';

export function registerComputerUse(router: ApiRouter): void {
  router.all('/computeruse{/*rest}', () => {
    throw new AppError('not_implemented', 'computer use (desktop automation: screenshots, mouse, keyboard, recordings) is not available in Berth sandboxes', {
      reason: 'NOT_IMPLEMENTED',
      hint: 'Berth sandboxes have no desktop; drive browsers headless (e.g. Playwright) through process execution instead',
    });
  });
}
