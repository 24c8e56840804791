// OpenAPI document and its UI at /docs, generated from the route schemas.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance, publicBaseUrl: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'adsync gateway',
        description: 'OAuth redirects, connections, conversion-event ingest and operations for adsync.',
        version: '0.1.0',
      },
      servers: [{ url: publicBaseUrl }],
    },
    // Only routes that declare tags are part of the public API (Bull Board's internal routes are not).
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
