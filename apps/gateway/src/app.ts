// Builds the gateway without listening, so tests drive it with inject() or a real port alike.
// The gateway only enqueues work; it never runs job handlers.

import { createEventBuffer, eventBufferOptions } from '@adsync/events';
import { registerQueueDepth } from '@adsync/metrics';
import { QUEUE_NAMES } from '@adsync/queues';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { adminPageRoutes } from './admin/admin-page.route.ts';
import { connectLinkRoutes } from './connections/connect-link.route.ts';
import { connectionsRoutes } from './connections/connections.route.ts';
import { oauthRoutes } from './connections/oauth.route.ts';
import { deadLetterRoutes } from './events/dead-letters.route.ts';
import { deliveryStatsRoutes } from './events/delivery-stats.route.ts';
import { createDestinationCache } from './events/destination-cache.ts';
import { eventDestinationsRoutes } from './events/destinations.route.ts';
import { eventsRoutes } from './events/events.route.ts';
import type { GatewayDeps } from './gateway-deps.ts';
import { frameworkErrors, MAX_PATH_PARAMETER_LENGTH, registerErrorHandling } from './http/error-handler.ts';
import { registerNulGuard } from './http/nul-guard.ts';
import { registerOpenApi } from './http/openapi.ts';
import { registerRateLimits } from './http/rate-limits.ts';
import { REQUEST_ID_HEADER, requestIdGenerator } from './http/request-id.ts';
import { klaviyoRoutes } from './klaviyo/klaviyo.route.ts';
import { onboardingRoutes } from './onboarding/onboarding.route.ts';
import { bullBoardRoutes } from './routes/bull-board.route.ts';
import { healthRoutes } from './routes/health.route.ts';
import { observeHttpRequests } from './routes/metrics.route.ts';
import { spendRoutes } from './spend/spend.route.ts';
import { adminSessionRoutes } from './tenants/admin-session.route.ts';
import { apiKeysRoutes } from './tenants/api-keys.route.ts';
import { sessionsRoutes } from './tenants/sessions.route.ts';
import { webhookRoutes } from './tenants/webhook.route.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: Fastify writes no access-log lines for this route. */
    accessLog?: boolean;
  }
}

export async function buildApp(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    trustProxy: deps.config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    // Ids come only from requestIdGenerator (Fastify would otherwise take any client's header verbatim).
    requestIdHeader: false,
    genReqId: requestIdGenerator(deps.config.TRUST_PROXY),
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // Refusals Fastify makes before routing (an undecodable URL, an over-long path parameter) get the API's
    // error shape too.
    frameworkErrors,
    // Routes that say `config: { accessLog: false }` (event ingest) write no "incoming"/"completed" lines.
    logController: new LogController({
      disableRequestLogging: (request: { routeOptions?: { config?: { accessLog?: boolean } } }) =>
        request.routeOptions?.config?.accessLog === false,
    }),
  }) as unknown as FastifyInstance;
  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });

  registerErrorHandling(app);
  registerNulGuard(app);
  await registerRateLimits(app, deps);
  // Recorded here, served by the internal metrics listener (metrics-app.ts): the public port has no /metrics.
  const registry = deps.metrics;
  registerQueueDepth(
    registry,
    QUEUE_NAMES.map((name) => deps.producer.queue(name)),
  );
  observeHttpRequests(app, registry);

  await registerOpenApi(app, deps.config.PUBLIC_BASE_URL);
  await app.register(healthRoutes(deps));
  await app.register(bullBoardRoutes(deps));
  await app.register(cookie);
  await app.register(adminSessionRoutes(deps));
  await app.register(adminPageRoutes());
  await app.register(oauthRoutes(deps));
  await app.register(connectLinkRoutes(deps));
  await app.register(connectionsRoutes(deps));
  await app.register(onboardingRoutes(deps));
  await app.register(apiKeysRoutes(deps));
  await app.register(sessionsRoutes(deps));
  await app.register(webhookRoutes(deps));
  await app.register(spendRoutes(deps));
  await app.register(klaviyoRoutes(deps));
  const eventBuffer = createEventBuffer(deps.redis, eventBufferOptions(deps.config));
  const destinations = createDestinationCache(deps.db);
  await app.register(eventDestinationsRoutes(deps, destinations));
  await app.register(eventsRoutes(deps, { buffer: eventBuffer, destinations, registry }));
  await app.register(deadLetterRoutes(deps, eventBuffer));
  await app.register(deliveryStatsRoutes(deps, eventBuffer));
  return app;
}
