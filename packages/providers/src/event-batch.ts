// What the Meta and TikTok event senders share around the one request they make: the batch-size rule, the
// outcome of a batch stopped before it was sent, the event a platform error names, and token hygiene.

import type { EventBatchOutcome, EventBatchRequest } from './events.ts';
import type { ProviderError } from './provider.ts';

/** Both platforms take up to 1,000 events per request (providers.md §1.6, §3.5). */
export const MAX_EVENTS_PER_BATCH = 1_000;

const NAMED_EVENT = /\bdata\[(\d+)\]/;

/**
 * What to do before a batch is sent: a batch over the platform's maximum is the caller's bug (it must split
 * by `maxBatch`) and throws; an empty batch is delivered without a call; a stopped worker sends nothing.
 */
export function beforeSending(
  request: EventBatchRequest,
  platform: string,
  maxBatch: number,
): EventBatchOutcome | undefined {
  if (request.events.length > maxBatch) {
    throw new RangeError(`A ${platform} event batch holds at most ${maxBatch} events; got ${request.events.length}.`);
  }
  if (request.events.length === 0) return { kind: 'delivered', received: 0 };
  if (request.signal?.aborted) return stopped(platform);
  return undefined;
}

/** The batch was not sent (or its answer not read) because adsync is shutting down. */
export function stopped(platform: string): EventBatchOutcome {
  return {
    kind: 'failed',
    error: {
      code: 'unavailable',
      message: `Sending events to ${platform} stopped because adsync is shutting down; they will be sent again.`,
      retryable: true,
    },
  };
}

/** The event a platform error names as `data[i]` in the first text that names one, when `i` is in the batch. */
export function namedEventIndex(texts: readonly (string | undefined)[], batchSize: number): number | undefined {
  for (const text of texts) {
    const match = text === undefined ? null : NAMED_EVENT.exec(text);
    if (match?.[1] === undefined) continue;
    const index = Number(match[1]);
    return index < batchSize ? index : undefined;
  }
  return undefined;
}

/** The error with every occurrence of the token cut out of its message (platform text may quote a request). */
export function withoutToken(error: ProviderError, token: string): ProviderError {
  return token === '' || !error.message.includes(token)
    ? error
    : { ...error, message: error.message.split(token).join('[redacted]') };
}
