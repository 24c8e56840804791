// Conversions API batches (providers.md §1.6): `POST {graph}/{pixel_id}/events` with `{data, test_event_code}`
// and the token in the Authorization header, as every Graph call of ours sends it. A parameter error (code
// 100) that is not an unknown pixel is the content of an event: Graph rejects the whole batch and names the
// event as `data[i]` in `error_user_msg`. Everything else is classified by `metaError`.

import { beforeSending, MAX_EVENTS_PER_BATCH, namedEventIndex, stopped, withoutToken } from '../event-batch.ts';
import type { EventBatchOutcome, EventSender } from '../events.ts';
import { describeUrl, httpJson } from '../http.ts';
import type { ProviderError } from '../provider.ts';
import type { MetaSettings } from '../settings.ts';
import { metaError } from './meta.errors.ts';
import { eventsReceived } from './meta.schemas.ts';

const ACTION = 'accept conversion events';
const PARAMETER_ERROR = 100;

interface GraphError {
  code?: number;
  message?: string;
  error_user_title?: string;
  error_user_msg?: string;
}

/**
 * The subcodes seen on event content (the invalid event, unhashed user data and too-old event_time of
 * providers.md §1.6) carry no special meaning here: any code-100 refusal that `metaError` leaves as
 * `invalid_request` is about the request's content, and the worker isolates the event by splitting.
 */
function rejected(graph: GraphError, error: ProviderError, batchSize: number, token: string): EventBatchOutcome {
  const detail = graph.error_user_msg ?? graph.message;
  const title = graph.error_user_title === undefined ? '' : ` (${graph.error_user_title})`;
  const eventIndex = namedEventIndex([graph.error_user_msg, graph.message], batchSize);
  const described =
    detail === undefined ? error : { ...error, message: `Meta refused to ${ACTION}${title}: ${detail}` };
  return {
    kind: 'rejected',
    error: withoutToken(described, token),
    ...(eventIndex === undefined ? {} : { eventIndex }),
  };
}

export function createMetaEventSender(settings: MetaSettings): EventSender {
  return {
    provider: 'meta',
    maxBatch: MAX_EVENTS_PER_BATCH,

    async send(request) {
      const early = beforeSending(request, 'Meta', MAX_EVENTS_PER_BATCH);
      if (early !== undefined) return early;
      const url = `${settings.graphUrl}/${encodeURIComponent(request.pixelId)}/events`;
      const response = await httpJson({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${request.accessToken}` },
        json: {
          data: request.events,
          ...(request.testEventCode === null ? {} : { test_event_code: request.testEventCode }),
        },
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
      if (!response.ok) {
        if (request.signal?.aborted) return stopped('Meta');
        return { kind: 'failed', error: withoutToken(response.error, request.accessToken) };
      }
      if (response.value.status === 200) {
        const body = eventsReceived.safeParse(response.value.body);
        if (body.success) return { kind: 'delivered', received: body.data.events_received };
        return {
          kind: 'failed',
          error: {
            code: 'unavailable',
            message: `Meta answered ${describeUrl(url)} in an unexpected shape.`,
            retryable: true,
          },
        };
      }
      const error = metaError(response.value, ACTION);
      const graph = (response.value.body as { error?: GraphError } | undefined)?.error ?? {};
      if (graph.code === PARAMETER_ERROR && error.code === 'invalid_request') {
        return rejected(graph, error, request.events.length, request.accessToken);
      }
      return { kind: 'failed', error: withoutToken(error, request.accessToken) };
    },
  };
}
