// GET /api/accounts: the one account a private key or OAuth grant reaches (XS tier, accounts:read).

import type { ApiRouter } from './klaviyo.api.route.ts';
import { allowParams } from './klaviyo.json-api.ts';
import { accountResource } from './klaviyo.resources.ts';

export function accountRoutes(router: ApiRouter): void {
  router.get('/accounts', { tier: 'XS', scopes: ['accounts:read'] }, async (request) => {
    allowParams(request, ['fields[account]']);
    const self = `${request.protocol}://${request.host}${(request.url.split('?')[0] ?? '').replace(/\/?$/, '/')}`;
    return { data: [accountResource(request)], links: { self, next: null, prev: null } };
  });
}
