// Liveness and readiness. /readyz names every dependency that is down, so a 503 says what to fix.

import { checkReadiness, describeUnready, type Readiness } from '@adsync/health';
import type { FastifyInstance } from 'fastify';
import type { GatewayDeps } from '../gateway-deps.ts';
import { errorBody } from '../http/error-handler.ts';

const checkSchema = {
  type: 'object',
  properties: { ok: { type: 'boolean' }, error: { type: 'string' } },
  required: ['ok'],
} as const;

const checksSchema = {
  type: 'object',
  properties: { postgres: checkSchema, redis: checkSchema },
  required: ['postgres', 'redis'],
} as const;

export function healthRoutes(deps: GatewayDeps) {
  return async (app: FastifyInstance) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['health'],
          summary: 'Liveness: the process is up.',
          response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['health'],
          summary: 'Readiness: Postgres and Redis answer.',
          response: {
            200: {
              type: 'object',
              properties: { status: { const: 'ready' }, checks: checksSchema },
              required: ['status', 'checks'],
            },
            503: {
              type: 'object',
              properties: {
                error: {
                  type: 'object',
                  properties: { code: { type: 'string' }, message: { type: 'string' }, details: checksSchema },
                  required: ['code', 'message'],
                },
              },
              required: ['error'],
            },
          },
        },
      },
      async (_request, reply) => {
        const readiness: Readiness = await checkReadiness({ db: deps.db, redis: deps.redis });
        if (readiness.ready) return { status: 'ready' as const, checks: readiness.checks };
        return reply.status(503).send(errorBody('not_ready', describeUnready(readiness), readiness.checks));
      },
    );
  };
}
