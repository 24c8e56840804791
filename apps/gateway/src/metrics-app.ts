// The gateway's internal listener: Prometheus's GET /metrics and nothing else, on GATEWAY_METRICS_HOST and
// GATEWAY_METRICS_PORT. Built without listening, like buildApp; main.ts listens and closes it.

import type { Registry } from '@adsync/metrics';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from './http/error-handler.ts';
import { metricsRoutes } from './routes/metrics.route.ts';

export async function buildMetricsApp(registry: Registry): Promise<FastifyInstance> {
  // No logger: a scrape every 15 s is not worth an access-log line, and failures answer 500 on their own.
  const app = Fastify({ logger: false });
  registerErrorHandling(app);
  await app.register(metricsRoutes(registry));
  return app;
}
