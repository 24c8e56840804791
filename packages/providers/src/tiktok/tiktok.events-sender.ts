// Events API 2.0 batches (providers.md §3.5): `POST {api}/event/track/` with the `Access-Token` header and
// `{event_source: 'web', event_source_id: pixel code, test_event_code, data}`. TikTok answers HTTP 200 with
// an envelope: 40002 (a parameter, named `data[i]...`) and 40062 (PII not hashed) are an event's content
// and reject the whole batch; the other codes are classified by `tiktokError`.

import { z } from 'zod';
import { beforeSending, MAX_EVENTS_PER_BATCH, namedEventIndex, stopped, withoutToken } from '../event-batch.ts';
import type { EventSender } from '../events.ts';
import type { ProviderError } from '../provider.ts';
import type { TikTokSettings } from '../settings.ts';
import { callTikTok } from './tiktok.api.ts';

const ACTION = 'accept conversion events';
/** 40002: parameter error (the message names the field); 40062: PII not hashed. */
const EVENT_CONTENT_CODES = new Set(['40002', '40062']);
/** `data` of a successful answer is `{}`: nothing in it is read. */
const trackData = z.unknown();

/**
 * `tiktokError` leaves a non-200 answer without an envelope as `invalid_request` (a request that never
 * reached the API). A batch of events is worth sending again after any of those, so it is `unavailable`.
 */
function transportError(error: ProviderError): ProviderError {
  return error.platformCode?.startsWith('http_') && error.code !== 'unavailable'
    ? { ...error, code: 'unavailable', retryable: true }
    : error;
}

export function createTikTokEventSender(settings: TikTokSettings): EventSender {
  return {
    provider: 'tiktok',
    maxBatch: MAX_EVENTS_PER_BATCH,

    async send(request) {
      const early = beforeSending(request, 'TikTok', MAX_EVENTS_PER_BATCH);
      if (early !== undefined) return early;
      const answer = await callTikTok(
        {
          method: 'POST',
          url: `${settings.apiUrl}/event/track/`,
          headers: { 'Access-Token': request.accessToken },
          json: {
            event_source: 'web',
            event_source_id: request.pixelId,
            ...(request.testEventCode === null ? {} : { test_event_code: request.testEventCode }),
            data: request.events,
          },
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        },
        trackData,
        ACTION,
        [request.accessToken],
      );
      // TikTok does not count what it took: a success takes the whole batch.
      if (answer.ok) return { kind: 'delivered', received: request.events.length };
      if (answer.error.code === 'unavailable' && request.signal?.aborted) return stopped('TikTok');
      const error = withoutToken(answer.error, request.accessToken);
      if (EVENT_CONTENT_CODES.has(error.platformCode ?? '')) {
        const eventIndex = namedEventIndex([error.message], request.events.length);
        return { kind: 'rejected', error, ...(eventIndex === undefined ? {} : { eventIndex }) };
      }
      return { kind: 'failed', error: transportError(error) };
    },
  };
}
