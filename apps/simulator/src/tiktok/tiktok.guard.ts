// The checks every TikTok API call goes through: app credentials, the `Access-Token` header, advertiser
// access, and the per-app QPS limit (HTTP 200 + code 40100, no headers: providers.md §3.4 / §6).

import type { FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { requiredString, TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';
import type { AccessTokenRecord, TikTokApp, TikTokState } from './tiktok.state.ts';

/** `/event/track/` is documented at 1,000 QPS at every tier; every other endpoint uses the configured tier. */
const EVENT_TRACK_QPS = 1_000;

export interface TikTokGuard {
  /** `app_id` + `secret` from the request's JSON body or query string (`source`). */
  app(request: FastifyRequest, source: unknown): TikTokApp;
  /**
   * The caller's valid access token, from the `Access-Token` header. `counted`: the request already went
   * through the QPS counter (an endpoint that also checks app credentials).
   */
  token(request: FastifyRequest, counted?: boolean): AccessTokenRecord;
  /** Fails with 40001 unless the token's authorization covers the advertiser. */
  advertiser(token: AccessTokenRecord, advertiserId: string): void;
}

export function createTikTokGuard(context: SimulatorContext, state: TikTokState): TikTokGuard {
  const throttle = (app: TikTokApp, route: string) => {
    // Limits are per developer app and per endpoint (providers.md §3.4).
    const limit = route.endsWith('/event/track/')
      ? Math.max(EVENT_TRACK_QPS, context.options.tiktok.requestsPerSecond)
      : context.options.tiktok.requestsPerSecond;
    if (state.countRequest(`${app.appId} ${route}`, context.clock.now()) > limit) {
      // Message text unverified: providers.md documents the code, not its wording.
      throw new TikTokError(
        TIKTOK_CODES.rateLimited,
        'Too many requests. The request frequency of this app exceeds the QPS limit; please retry in the next second.',
      );
    }
  };

  return {
    app(request, source) {
      const appId = requiredString(source, 'app_id');
      const secret = requiredString(source, 'secret');
      const app = state.appById(appId);
      if (app === undefined) throw new TikTokError(TIKTOK_CODES.invalidApp, 'Invalid app_id or secret.');
      throttle(app, routeOf(request));
      if (app.secret !== secret) throw new TikTokError(TIKTOK_CODES.invalidApp, 'Invalid app_id or secret.');
      return app;
    },

    token(request, counted = false) {
      const header = request.headers['access-token'];
      const value = Array.isArray(header) ? header[0] : header;
      if (value === undefined || value === '') {
        throw new TikTokError(
          TIKTOK_CODES.accessTokenEmpty,
          'Access token is null, you should set it in http header with key Access-Token.',
        );
      }
      const record = state.accessToken(value);
      if (record === undefined) {
        throw new TikTokError(TIKTOK_CODES.accessTokenInvalid, 'Access token is incorrect or has been revoked.');
      }
      if (!counted) throttle(record.grant.app, routeOf(request));
      if (record.grant.revoked) {
        throw new TikTokError(TIKTOK_CODES.accessTokenInvalid, 'Access token is incorrect or has been revoked.');
      }
      // Only rotating-app tokens carry a timer; 40102 is the documented "access token expired" code (§5).
      if (record.expiresAt !== null && context.clock.now() >= record.expiresAt) {
        throw new TikTokError(TIKTOK_CODES.accessTokenExpired, 'Access token has expired.');
      }
      return record;
    },

    advertiser(token, advertiserId) {
      if (!token.grant.advertiserIds.includes(advertiserId)) {
        // 40001 (no permission on the asset) rather than 40106, which the SDK describes as a user mismatch.
        throw new TikTokError(
          TIKTOK_CODES.noPermission,
          `No permission to operate advertiser ${advertiserId}. Ask the advertiser to authorize your app.`,
        );
      }
    },
  };
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url;
}
