// `POST /v1/events`: a brand's backend posts a batch of conversion events (up to 1,000) in adsync's
// neutral schema. Each event is checked on its own; the answer lists every event with its status
// (accepted, duplicate, rejected with a code and what to fix). 202 means every accepted event is stored
// for delivery to each of the tenant's enabled destinations (Meta pixels, TikTok pixels).

import { AppError } from '@adsync/errors';
import { type EventBuffer, ingestEvents, MAX_EVENTS_PER_REQUEST, registerIngestMetrics } from '@adsync/events';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { GatewayDeps } from '../gateway-deps.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';
import type { DestinationCache } from './destination-cache.ts';

/** Room for 1,000 events with generous customer data; larger bodies are refused with 413. */
export const EVENTS_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function eventsOf(body: unknown): unknown[] {
  if (!isObject(body) || !Array.isArray(body.events)) {
    throw new AppError('invalid_request', 'Send a JSON object {"events": [ … ]} with 1 to 1,000 events.');
  }
  const unknownKeys = Object.keys(body).filter((key) => key !== 'events');
  if (unknownKeys.length > 0) {
    throw new AppError('invalid_request', `The request body has unknown fields: ${unknownKeys.join(', ')}.`);
  }
  if (body.events.length === 0) throw new AppError('invalid_request', 'events is empty: send 1 to 1,000 events.');
  if (body.events.length > MAX_EVENTS_PER_REQUEST) {
    throw new AppError(
      'too_many_events',
      `A request carries at most ${MAX_EVENTS_PER_REQUEST} events; this one has ${body.events.length}. Split it.`,
      { status: 413 },
    );
  }
  return body.events;
}

export function eventsRoutes(
  deps: GatewayDeps,
  ingest: { buffer: EventBuffer; destinations: DestinationCache; registry: Registry },
) {
  const { buffer, destinations } = ingest;
  const metrics = registerIngestMetrics(ingest.registry);
  return async (app: FastifyInstance) => {
    app.post(
      '/v1/events',
      {
        bodyLimit: EVENTS_BODY_LIMIT_BYTES,
        onRequest: requireTenant(deps),
        // No access-log lines (two per request at thousands of requests a second): requests are counted by the
        // HTTP metrics, and failures are still logged. (A route log level would do it too, but pino then
        // rebuilds every log method of each request's child logger.)
        config: { accessLog: false, tenantRateLimit: 'events' },
      },
      async (request, reply) => {
        const { tenantId } = tenantOf(request);
        const events = eventsOf(request.body);
        const routes = await destinations.routesFor(tenantId);
        if (routes.length === 0) {
          throw new AppError(
            'no_event_destinations',
            'This tenant has no enabled event destination: add a Meta or TikTok pixel at /v1/events/destinations first.',
            { status: 409 },
          );
        }
        const results = await ingestEvents(
          { buffer, producer: deps.producer, logger: deps.logger, metrics, lingerMs: deps.config.EVENTS_LINGER_MS },
          tenantId,
          routes,
          events,
        );
        const count = (status: string) => results.filter((result) => result.status === status).length;
        const body = {
          accepted: count('accepted'),
          duplicate: count('duplicate'),
          rejected: count('rejected'),
          events: results,
        };
        if (body.rejected === results.length) {
          throw new AppError('invalid_events', 'No event was accepted; each event says what to fix.', {
            details: { events: results },
          });
        }
        return reply.status(202).send(body);
      },
    );
  };
}
