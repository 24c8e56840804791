// Who is calling Klaviyo's /api: a private key (`Klaviyo-API-Key pk_…`) or an OAuth access token
// (`Bearer …`), the scopes it carries, and whose rate-limit quota it draws from.

import { KLAVIYO_ACCOUNT } from '../seed/accounts.ts';
import { KLAVIYO_PRIVATE_KEYS } from '../seed/apps.ts';
import { KlaviyoApiError } from './klaviyo.json-api.ts';
import type { KlaviyoState } from './klaviyo.state.ts';

export interface Principal {
  scopes: readonly string[];
  /** Private keys share one quota per account; each OAuth app install has its own. */
  quota: string;
}

const notAuthenticated = (title: string, detail: string) =>
  new KlaviyoApiError(401, 'not_authenticated', title, detail, { source: { pointer: '/data' } });

// providers.md notes older revisions answered a bad key with 400; current ones answer 401 not_authenticated.
export function authenticate(state: KlaviyoState, header: string | undefined, now: number): Principal {
  if (header === undefined || header.trim() === '') {
    throw notAuthenticated('Authentication credentials were not provided.', 'Missing or invalid private key.');
  }
  const [scheme = '', credential = ''] = header.trim().split(/\s+/, 2);
  if (scheme === 'Klaviyo-API-Key') {
    const key = KLAVIYO_PRIVATE_KEYS.find((candidate) => candidate.key === credential);
    if (key === undefined || state.revokedKeys.has(key.key)) {
      throw notAuthenticated('Incorrect authentication credentials.', 'Missing or invalid private key.');
    }
    return { scopes: key.scopes, quota: `account:${KLAVIYO_ACCOUNT.id}` };
  }
  if (scheme.toLowerCase() === 'bearer') {
    const token = state.accessTokens.get(credential);
    const grant = token === undefined ? undefined : state.grants.get(token.grantId);
    if (token === undefined || grant === undefined || grant.revoked || token.expiresAt <= now) {
      throw notAuthenticated('Incorrect authentication credentials.', 'Invalid or expired access token.');
    }
    return { scopes: grant.scopes, quota: `install:${grant.clientId}:${grant.accountId}` };
  }
  throw notAuthenticated(
    'Incorrect authentication credentials.',
    'Authorization header must be "Klaviyo-API-Key <private key>" or "Bearer <access token>".',
  );
}

export function requireScopes(principal: Principal, required: readonly string[]): void {
  const missing = required.filter((scope) => !principal.scopes.includes(scope));
  if (missing.length > 0) {
    throw new KlaviyoApiError(
      403,
      'permission_denied',
      'You do not have permission to perform this action.',
      `This request requires the scopes: ${missing.join(', ')}.`,
      { source: { pointer: '/data' } },
    );
  }
}

const REVISION = /^\d{4}-\d{2}-\d{2}(\.pre)?$/;

// Klaviyo documents `revision` as required; what a request without it gets is unverified. The simulator
// answers 400 `invalid` so a client that forgets it fails loudly instead of silently getting a default.
export function requireRevision(header: string | undefined): void {
  if (header === undefined || !REVISION.test(header.trim())) {
    throw new KlaviyoApiError(
      400,
      'invalid',
      'Invalid input.',
      header === undefined
        ? 'The revision header is required (YYYY-MM-DD).'
        : `Invalid revision ${header}: expected YYYY-MM-DD.`,
      { source: { parameter: 'revision' } },
    );
  }
}

const ACCEPTABLE = ['application/vnd.api+json', 'application/json', 'application/*', '*/*'];

export function requireAcceptable(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  const types = header.split(',').map((part) => (part.split(';')[0] ?? '').trim().toLowerCase());
  if (!types.some((type) => ACCEPTABLE.includes(type))) {
    throw new KlaviyoApiError(
      406,
      'not_acceptable',
      'Could not satisfy the request Accept header.',
      'Accept must allow application/vnd.api+json or application/json.',
      { source: { parameter: 'Accept' } },
    );
  }
}
