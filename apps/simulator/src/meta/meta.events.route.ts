// `POST /{pixel_id}/events` (the Conversions API): validates the request and records every event for the
// pixel; the answer counts them and carries no per-event detail.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { META_PIXELS } from '../seed/accounts.ts';
import { fbtraceId, unsupportedRequest } from './meta.errors.ts';
import { parseServerEvents } from './meta.events.ts';
import { graphParams, graphRoute } from './meta.graph.ts';
import type { MetaGuard } from './meta.guard.ts';

export function metaEventsRoutes(context: SimulatorContext, guard: MetaGuard) {
  return async (app: FastifyInstance) => {
    graphRoute(app, 'POST', '/:node/events', async (request: FastifyRequest) => {
      const pixelId = (request.params as { node: string }).node;
      const token = guard.user(request);
      const pixel = META_PIXELS.find((candidate) => candidate.id === pixelId);
      // A token reaches a pixel through the ad account it belongs to; any other pixel does not exist for it.
      if (pixel === undefined || !token.grant.accountIds.includes(pixel.accountId)) {
        throw unsupportedRequest('POST', pixelId);
      }
      const receivedAt = context.clock.now();
      const batch = parseServerEvents(graphParams(request), receivedAt, (eventId) =>
        context.faults.eventRejection('meta', eventId),
      );
      for (const event of batch.events) {
        context.recorder.recordEvent({
          platform: 'meta',
          destination: pixelId,
          receivedAt,
          testEventCode: batch.testEventCode,
          event,
        });
      }
      return { events_received: batch.events.length, messages: [], fbtrace_id: fbtraceId() };
    });
  };
}
