// `POST /event/track/` (Events API 2.0): validates the batch and records every event for the pixel (or
// other event source) it names; the answer carries no per-event detail.

import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { success } from './tiktok.envelope.ts';
import { parseEventBatch } from './tiktok.events.ts';
import type { TikTokGuard } from './tiktok.guard.ts';

export function tiktokEventsRoutes(context: SimulatorContext, guard: TikTokGuard) {
  return async (app: FastifyInstance) => {
    app.post('/open_api/v1.3/event/track/', async (request) => {
      guard.token(request);
      const batch = parseEventBatch(request.body, (eventId) => context.faults.eventRejection('tiktok', eventId));
      const receivedAt = context.clock.now();
      for (const event of batch.events) {
        context.recorder.recordEvent({
          platform: 'tiktok',
          destination: batch.eventSourceId,
          receivedAt,
          testEventCode: batch.testEventCode,
          event,
        });
      }
      return success(receivedAt, {});
    });
  };
}
