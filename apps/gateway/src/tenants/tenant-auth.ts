// Who a tenant request is from: an API key (`Authorization: Bearer adsync_…`, for the brand's backend) or
// a brand admin's browser session (the `adsync_session` cookie). A session's changes must also carry its
// CSRF token in `x-csrf-token`, and come from our own origin. Operators (Bull Board) are never tenants.
// `requireTenant` runs in `onRequest`: a request without live credentials is refused before its body is
// read, and every request is counted against its credentials' rate limit.

import { hashToken, safeEqual } from '@adsync/crypto';
import { findLiveAdminSession } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import type { LimitName } from '../http/rate-limits.ts';
import { liveApiKey, recentlyConfirmedApiKey } from './api-key-cache.ts';

export const SESSION_COOKIE = 'adsync_session';
export const CSRF_COOKIE = 'adsync_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export type TenantPrincipal =
  | { tenantId: string; via: 'api_key'; keyId: string }
  | {
      tenantId: string;
      via: 'session';
      sessionId: string;
      csrfTokenHash: string;
      /** The API key behind the session: links it mints are ended with that key too. */
      apiKeyId: string | null;
    };

/** The API key a credential comes down to: itself, or the key behind the session. */
export function apiKeyBehind(principal: TenantPrincipal): string | null {
  return principal.via === 'api_key' ? principal.keyId : principal.apiKeyId;
}

const principals = new WeakMap<FastifyRequest, TenantPrincipal>();
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * The tenant behind the request's credentials, if it carries valid ones (API key first, then session). An
 * unknown API key counts as a failed credential of the client's address; from an address that has used
 * those up, keys are not looked up at all (429), unless this gateway confirmed the key lately. Unknown
 * session cookies are not counted: every expired session sends one, and a session token is 256 random bits.
 */
export async function findTenantPrincipal(
  deps: GatewayDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<TenantPrincipal | undefined> {
  const known = principals.get(request);
  if (known !== undefined) return known;
  let principal: TenantPrincipal | undefined;
  const key = bearer(request);
  if (key !== undefined) {
    const keyHash = hashToken(key);
    if (!recentlyConfirmedApiKey(deps.db, keyHash)) await request.server.limits.refuseWhileLockedOut(request, reply);
    const found = await liveApiKey(deps.db, keyHash);
    if (found === undefined) await request.server.limits.recordAuthFailure(request);
    else principal = { tenantId: found.tenantId, via: 'api_key', keyId: found.keyId };
  } else {
    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie === undefined ? undefined : await findLiveAdminSession(deps.db, hashToken(cookie));
    if (session !== undefined) {
      principal = {
        tenantId: session.tenant_id,
        via: 'session',
        sessionId: session.id,
        csrfTokenHash: session.csrf_token_hash,
        apiKeyId: session.api_key_id,
      };
    }
  }
  if (principal !== undefined) principals.set(request, principal);
  return principal;
}

/** A session may change something only with its CSRF token, from our own origin. */
function checkCsrf(deps: GatewayDeps, request: FastifyRequest, principal: TenantPrincipal): void {
  if (principal.via !== 'session' || SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== new URL(deps.config.PUBLIC_BASE_URL).origin) {
    throw new AppError('csrf_origin_mismatch', 'This change came from another site and was refused.', { status: 403 });
  }
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || !safeEqual(hashToken(token), principal.csrfTokenHash)) {
    throw new AppError(
      'csrf_token_invalid',
      `Changes made with a browser session must send the session's CSRF token (the ${CSRF_COOKIE} cookie) in the ${CSRF_HEADER} header.`,
      { status: 403 },
    );
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which per-credential rate limit a tenant route counts against (default `api`). */
    tenantRateLimit?: Extract<LimitName, 'api' | 'events'>;
  }
}

/**
 * The `onRequest` hook of tenant routes: 401 without live credentials (before the body is read), 403 for a
 * session change without CSRF, 429 past the credentials' rate limit.
 */
export function requireTenant(deps: GatewayDeps) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = await findTenantPrincipal(deps, request, reply);
    if (principal === undefined) {
      throw new AppError(
        'unauthorized',
        'Send a live tenant API key as "Authorization: Bearer adsync_…", or sign in through a login link.',
        { status: 401 },
      );
    }
    checkCsrf(deps, request, principal);
    const subject = principal.via === 'api_key' ? `key:${principal.keyId}` : `session:${principal.sessionId}`;
    await request.server.limits.take(request.routeOptions.config.tenantRateLimit ?? 'api', request, reply, subject);
  };
}

/** The tenant of a request that went through requireTenant. */
export function tenantOf(request: FastifyRequest): TenantPrincipal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('tenantOf() on a route without requireTenant');
  return principal;
}
