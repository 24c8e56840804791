// The Marketing API OAuth endpoints: auth_code exchange, refresh (rotating app only), revocation and the
// list of advertisers a token was authorized for.

import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { requiredString, success, TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';
import type { TikTokGuard } from './tiktok.guard.ts';
import type { Grant, IssuedTokens, TikTokState } from './tiktok.state.ts';

export const OAUTH_PREFIX = '/open_api/v1.3/oauth2';

/**
 * The token payload. Long-term apps get `access_token`, `advertiser_ids`, `scope` only (providers.md §3.1).
 * The rotating app also gets `refresh_token` and lifetimes; providers.md leaves the names unverified, and we
 * use `access_token_expire_in` / `refresh_token_expire_in`, the names TikTok's Business API documents for
 * its refreshable (tt_user) tokens, rather than the Login Kit's `expires_in` / `refresh_expires_in`.
 */
function tokenData(grant: Grant, issued: IssuedTokens, now: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    access_token: issued.access.token,
    advertiser_ids: [...grant.advertiserIds],
    scope: [...grant.scope],
  };
  if (issued.refreshToken !== undefined && issued.access.expiresAt !== null && grant.refreshExpiresAt !== null) {
    data.refresh_token = issued.refreshToken;
    data.access_token_expire_in = Math.round((issued.access.expiresAt - now) / 1000);
    data.refresh_token_expire_in = Math.max(0, Math.round((grant.refreshExpiresAt - now) / 1000));
  }
  return data;
}

export function tiktokOauthRoutes(context: SimulatorContext, state: TikTokState, guard: TikTokGuard) {
  return async (app: FastifyInstance) => {
    app.post(`${OAUTH_PREFIX}/access_token/`, async (request) => {
      const tiktokApp = guard.app(request, request.body);
      const code = requiredString(request.body, 'auth_code');
      const now = context.clock.now();
      const authorization = state.redeemAuthCode(tiktokApp, code, now);
      if (authorization === undefined) {
        throw new TikTokError(TIKTOK_CODES.invalidAuthCode, 'The auth_code is invalid, used, expired or cancelled.');
      }
      const issued = state.createGrant(tiktokApp, authorization.advertiserIds, now);
      return success(now, tokenData(issued.access.grant, issued, now));
    });

    app.post(`${OAUTH_PREFIX}/refresh_token/`, async (request) => {
      const tiktokApp = guard.app(request, request.body);
      const presented = requiredString(request.body, 'refresh_token');
      if (requiredString(request.body, 'grant_type') !== 'refresh_token') {
        throw new TikTokError(TIKTOK_CODES.invalidGrantType, 'grant_type must be refresh_token.');
      }
      // A long-term app has no refresh token, so anything presented is invalid: providers.md §3.1 says
      // refreshing a Marketing API long-term token answers 40107.
      const record = state.refreshToken(presented);
      if (
        tiktokApp.tokenModel !== 'rotating' ||
        record === undefined ||
        record.supersededAt !== null ||
        record.grant.revoked ||
        record.grant.app.appId !== tiktokApp.appId
      ) {
        throw new TikTokError(TIKTOK_CODES.invalidRefreshToken, 'The refresh_token is invalid.');
      }
      const now = context.clock.now();
      if (record.grant.refreshExpiresAt !== null && now >= record.grant.refreshExpiresAt) {
        throw new TikTokError(
          TIKTOK_CODES.refreshTokenExpired,
          'The refresh_token has expired. Ask the advertiser to authorize again.',
        );
      }
      const issued = state.rotate(presented, now);
      return success(now, tokenData(record.grant, issued, now));
    });

    app.post(`${OAUTH_PREFIX}/revoke_token/`, async (request) => {
      const tiktokApp = guard.app(request, request.body);
      const token = requiredString(request.body, 'access_token');
      const record = state.accessToken(token);
      if (record === undefined || record.grant.revoked) {
        throw new TikTokError(TIKTOK_CODES.accessTokenInvalid, 'Access token is incorrect or has been revoked.');
      }
      if (record.grant.app.appId !== tiktokApp.appId) {
        throw new TikTokError(TIKTOK_CODES.appMismatch, 'The app_id is inconsistent with the access token.');
      }
      state.revoke(token);
      return success(context.clock.now(), {});
    });

    app.get(`${OAUTH_PREFIX}/advertiser/get/`, async (request) => {
      const tiktokApp = guard.app(request, request.query);
      const token = guard.token(request, true);
      if (token.grant.app.appId !== tiktokApp.appId) {
        throw new TikTokError(TIKTOK_CODES.appMismatch, 'The app_id is inconsistent with the access token.');
      }
      const list = TIKTOK_ADVERTISERS.filter((advertiser) => token.grant.advertiserIds.includes(advertiser.id)).map(
        (advertiser) => ({ advertiser_id: advertiser.id, advertiser_name: advertiser.name }),
      );
      return success(context.clock.now(), { list });
    });
  };
}
