// Who a tenant request is from. Tenant API calls carry `Authorization: Bearer adsync_…`; the key reaches
// exactly one tenant. Operators (Bull Board) authenticate elsewhere and are never tenants.

import { hashToken } from '@adsync/crypto';
import { useApiKey } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { FastifyRequest } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';

export interface TenantPrincipal {
  tenantId: string;
  via: 'api_key';
}

const principals = new WeakMap<FastifyRequest, TenantPrincipal>();

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The tenant behind the request's credentials, if it carries valid ones. */
export async function findTenantPrincipal(
  deps: GatewayDeps,
  request: FastifyRequest,
): Promise<TenantPrincipal | undefined> {
  const known = principals.get(request);
  if (known !== undefined) return known;
  const key = bearer(request);
  if (key === undefined) return undefined;
  const found = await useApiKey(deps.db, hashToken(key));
  if (found === undefined) return undefined;
  const principal: TenantPrincipal = { tenantId: found.tenantId, via: 'api_key' };
  principals.set(request, principal);
  return principal;
}

/** A preHandler for tenant routes: 401 unless the request carries a live tenant API key. */
export function requireTenant(deps: GatewayDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    if ((await findTenantPrincipal(deps, request)) === undefined) {
      throw new AppError(
        'unauthorized',
        'Send a live tenant API key as "Authorization: Bearer adsync_…" (create one with pnpm tenant:create).',
        { status: 401 },
      );
    }
  };
}

/** The tenant of a request that went through requireTenant. */
export function tenantOf(request: FastifyRequest): TenantPrincipal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('tenantOf() on a route without requireTenant');
  return principal;
}
