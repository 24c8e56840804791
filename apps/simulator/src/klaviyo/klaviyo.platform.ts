// The simulated Klaviyo: the API host under /klaviyo/a (JSON:API /api/*, /oauth/token, /oauth/revoke), the
// www host under /klaviyo/www (/oauth/authorize), and the control actions tests use on it.

import type { FastifyInstance } from 'fastify';
import type { SimulatedPlatform, SimulatorContext, TokenSelector } from '../core/platform.ts';
import { KLAVIYO_PRIVATE_KEYS } from '../seed/apps.ts';
import { apiRoutes } from './klaviyo.api.route.ts';
import { oauthRoutes } from './klaviyo.oauth.route.ts';
import { createRateLimiter } from './klaviyo.rate-limit.ts';
import { createKlaviyoState, type Grant, type KlaviyoState } from './klaviyo.state.ts';

function grantsFor(state: KlaviyoState, selector: TokenSelector): Grant[] {
  const all = [...state.grants.values()];
  if (selector.token === undefined) return all;
  const token = selector.token;
  const viaAccess = state.accessTokens.get(token)?.grantId;
  return all.filter((grant) => grant.id === viaAccess || grant.issuedRefreshTokens.includes(token));
}

/** Answered as 400 by the control API, not 500: the test asked for something that does not exist. */
function badAction(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

function profileIdsFrom(body: Record<string, unknown>): string[] | undefined {
  const ids = body.profileIds;
  return Array.isArray(ids) ? ids.map(String) : undefined;
}

function countFrom(body: Record<string, unknown>): number {
  const count = Number(body.count ?? 1);
  if (!Number.isInteger(count) || count < 0) throw badAction('count must be a non-negative integer');
  return count;
}

export function createKlaviyoPlatform(context: SimulatorContext): SimulatedPlatform {
  const options = context.options.klaviyo;
  const state = createKlaviyoState(context.clock);
  const limiter = createRateLimiter(
    () => context.clock.now(),
    () => options.rateLimitDivisor,
  );

  function segmentOf(body: Record<string, unknown>) {
    const segment = state.segments.get(String(body.segmentId ?? ''));
    if (segment === undefined) throw badAction(`no Klaviyo segment ${String(body.segmentId)}`);
    return segment;
  }

  return {
    id: 'klaviyo',
    async routes(app: FastifyInstance) {
      await app.register(oauthRoutes(state, context, options));
      await app.register(apiRoutes({ state, context }, limiter), { prefix: '/a/api' });
    },
    control: {
      revoke(selector) {
        const key = KLAVIYO_PRIVATE_KEYS.find((candidate) => candidate.key === selector.token);
        if (key !== undefined) {
          const fresh = !state.revokedKeys.has(key.key);
          state.revokedKeys.add(key.key);
          return fresh ? 1 : 0;
        }
        const grants = grantsFor(state, selector).filter((grant) => !grant.revoked);
        for (const grant of grants) grant.revoked = true;
        return grants.length;
      },
      expireAccessTokens(selector) {
        const now = context.clock.now();
        const direct = selector.token === undefined ? undefined : state.accessTokens.get(selector.token);
        const grantIds = new Set(grantsFor(state, selector).map((grant) => grant.id));
        let expired = 0;
        for (const [token, access] of state.accessTokens) {
          const selected = direct === undefined ? grantIds.has(access.grantId) : token === selector.token;
          if (selected && access.expiresAt > now) {
            access.expiresAt = now;
            expired++;
          }
        }
        return expired;
      },
      reset() {
        state.reset();
        limiter.reset();
      },
    },
    actions: {
      /** When a refresh token was replaced by rotation: `{token}` → `{supersededAt}` (null while current). */
      'refresh-token'(body) {
        const token = String(body.token);
        const grant = [...state.grants.values()].find((candidate) => candidate.issuedRefreshTokens.includes(token));
        return { supersededAt: grant?.supersededAt.get(token) ?? null };
      },
      /** `{segmentId, count}` adds the next N non-members (new profiles once none are left), or `{segmentId, profileIds}`. */
      'segment-add'(body) {
        const segment = segmentOf(body);
        const now = context.clock.now();
        const given = profileIdsFrom(body);
        const added: string[] = [];
        if (given !== undefined) {
          for (const id of given) {
            if (!state.profiles.has(id)) throw badAction(`no Klaviyo profile ${id}`);
            if (!segment.members.has(id)) added.push(id);
          }
        } else {
          const wanted = countFrom(body);
          for (const id of state.profiles.keys()) {
            if (added.length >= wanted) break;
            if (!segment.members.has(id)) added.push(id);
          }
          while (added.length < wanted) added.push(state.createNumberedProfile().id);
        }
        for (const id of added) segment.members.set(id, now);
        if (added.length > 0) segment.updated = now;
        return { segmentId: segment.id, added, size: segment.members.size };
      },
      /** `{segmentId, count}` removes the N earliest joiners, or `{segmentId, profileIds}`. */
      'segment-remove'(body) {
        const segment = segmentOf(body);
        const given = profileIdsFrom(body);
        const removed =
          given !== undefined
            ? given.filter((id) => segment.members.has(id))
            : [...segment.members.entries()]
                .sort(([, a], [, b]) => a - b)
                .slice(0, countFrom(body))
                .map(([id]) => id);
        for (const id of removed) segment.members.delete(id);
        if (removed.length > 0) segment.updated = context.clock.now();
        return { segmentId: segment.id, removed, size: segment.members.size };
      },
      /** `{key}`: the private key stops authenticating (as if deleted in Klaviyo's settings). */
      'revoke-key'(body) {
        const key = KLAVIYO_PRIVATE_KEYS.find((candidate) => candidate.key === body.key);
        if (key === undefined) throw badAction('unknown Klaviyo private key');
        state.revokedKeys.add(key.key);
        return { revoked: key.key };
      },
    },
  };
}
