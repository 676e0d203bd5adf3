// /computeruse/* (compat spec §4.10): desktop automation is not part of
// Berth sandboxes; every path answers 501 with what to do instead. The
// methods Daytona's computer-use API uses are declared (others get 405).
import { AppError } from '../../../common/errors.js';
import { route, type Method, type RouteTable } from '../../route.js';

export function registerComputerUse(t: RouteTable): void {
  for (const method of ['get', 'post', 'delete'] as Method[]) {
    const decl = {
      method,
      path: '/computeruse{/*rest}',
      summary: 'Computer use (501: no desktop in Berth sandboxes)',
      tags: ['toolbox: computer use'],
      auth: 'key' as const,
      responses: { 501: 'Not implemented' },
    };
    route(t, decl, () => {
      throw new AppError(
        'not_implemented',
        'computer use (desktop automation: screenshots, mouse, keyboard, recordings) is not available in Berth sandboxes',
        {
          reason: 'NOT_IMPLEMENTED',
          hint: 'Berth sandboxes have no desktop; drive browsers headless (e.g. Playwright) through process execution instead',
        },
      );
    });
  }
}
