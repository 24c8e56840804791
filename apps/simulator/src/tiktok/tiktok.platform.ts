// The simulated TikTok API for Business: the advertiser authorization portal and the v1.3 Marketing API
// (OAuth, advertisers, integrated reports, Events API 2.0), all answering in TikTok's HTTP-200 envelope.

import type { FastifyError, FastifyInstance } from 'fastify';
import type { SimulatedPlatform, SimulatorContext } from '../core/platform.ts';
import { TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { TIKTOK_APPS } from '../seed/apps.ts';
import { tiktokAdvertiserRoutes } from './tiktok.advertiser.route.ts';
import { failure, TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';
import { tiktokEventsRoutes } from './tiktok.events.route.ts';
import { createTikTokGuard } from './tiktok.guard.ts';
import { tiktokOauthRoutes } from './tiktok.oauth.route.ts';
import { tiktokPortalRoutes } from './tiktok.portal.route.ts';
import { tiktokReportRoutes } from './tiktok.report.route.ts';
import { createTikTokState } from './tiktok.state.ts';

export function createTikTokPlatform(context: SimulatorContext): SimulatedPlatform {
  const state = createTikTokState(context.options.tiktok);
  const guard = createTikTokGuard(context, state);

  return {
    id: 'tiktok',

    async routes(app: FastifyInstance) {
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        const now = context.clock.now();
        if (error instanceof TikTokError) return reply.status(200).send(failure(now, error.code, error.message));
        // Requests the framework rejects before our handlers (bad JSON, wrong content type) are still
        // parameter errors inside the envelope on TikTok, which answers HTTP 200 for them.
        if (error.statusCode !== undefined && error.statusCode < 500) {
          return reply.status(200).send(failure(now, TIKTOK_CODES.parameterError, error.message));
        }
        return reply.status(500).send(failure(now, TIKTOK_CODES.systemError, 'System error.'));
      });
      await tiktokPortalRoutes(context, state)(app);
      await tiktokOauthRoutes(context, state, guard)(app);
      await tiktokAdvertiserRoutes(context, guard)(app);
      await tiktokReportRoutes(context, guard)(app);
      await tiktokEventsRoutes(context, guard)(app);
    },

    control: {
      revoke: ({ token }) => state.revoke(token),
      expireAccessTokens: ({ token }) => state.expire(token, context.clock.now()),
      reset: () => state.reset(),
    },

    actions: {
      /** When a refresh token was replaced by rotation: `{token}` → `{supersededAt}` (null while current). */
      'refresh-token': (body) => ({ supersededAt: state.refreshToken(String(body.token))?.supersededAt ?? null }),
      /**
       * An auth_code as if the advertiser had approved the consent page, for scripts that skip the page:
       * `{app_id?, advertiser_ids?}` (the rotating app and every advertiser by default).
       */
      authorize(body) {
        const appId = typeof body.app_id === 'string' ? body.app_id : TIKTOK_APPS[0].appId;
        const app = state.appById(appId);
        if (app === undefined) throw new Error(`no TikTok app ${appId}`);
        const requested = Array.isArray(body.advertiser_ids) ? body.advertiser_ids.map(String) : undefined;
        const advertiserIds = TIKTOK_ADVERTISERS.map((advertiser) => advertiser.id).filter(
          (id) => requested === undefined || requested.includes(id),
        );
        if (advertiserIds.length === 0) throw new Error('none of the advertiser_ids is a simulated advertiser');
        return { auth_code: state.issueAuthCode(app, advertiserIds, context.clock.now()) };
      },
    },
  };
}
