// The simulated Google Ads: OAuth 2.0 (accounts + oauth2 hosts) and the Ads REST API with GAQL reporting,
// mounted under /google.

import type { FastifyInstance } from 'fastify';
import type { SimulatedPlatform, SimulatorContext } from '../core/platform.ts';
import { googleAdsRoutes } from './google.ads.route.ts';
import { googleOauthRoutes } from './google.oauth.route.ts';
import { createGoogleState } from './google.state.ts';

export function createGooglePlatform(context: SimulatorContext): SimulatedPlatform {
  const state = createGoogleState();
  return {
    id: 'google',
    async routes(app: FastifyInstance) {
      await googleOauthRoutes(context, state)(app);
      await googleAdsRoutes(context, state)(app);
    },
    control: {
      revoke: ({ token }) => state.revoke(token),
      expireAccessTokens: ({ token }) => state.expire(token, context.clock.now()),
      reset: () => state.reset(),
    },
  };
}
