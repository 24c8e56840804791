// Prometheus metrics: HTTP traffic by route and status, queue depth, process defaults. The public app
// records them; /metrics itself is served only by the internal listener (metrics-app.ts).

import type { Registry } from '@adsync/metrics';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';

/** Counts every request the app answers; registered on the root so it sees all routes. */
export function observeHttpRequests(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'adsync_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'adsync_http_request_duration_seconds',
    help: 'Time to answer an HTTP request.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, so ids in paths do not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}

export function metricsRoutes(registry: Registry) {
  return async (app: FastifyInstance) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  };
}
