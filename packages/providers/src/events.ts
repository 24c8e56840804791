// The contract every platform's conversion-event sender meets: one batch of platform-ready events to one
// pixel, and an outcome that says whether the platform took the batch, refused it for an event's content
// (split it to isolate the event), or failed as a request (credentials, throttling, outage).

import type { ProviderError } from './provider.ts';

export interface EventBatchRequest {
  /** Meta dataset (pixel) id or TikTok pixel code. */
  pixelId: string;
  accessToken: string;
  testEventCode: string | null;
  /** Platform-ready events (already mapped and hashed by the caller); sent as given. */
  events: readonly Record<string, unknown>[];
  signal?: AbortSignal;
}
export type EventBatchOutcome =
  /** The platform took every event of the batch. */
  | { kind: 'delivered'; received: number }
  /** The platform refused the batch because of an event's content (whole batch rejected, nothing processed).
   *  `eventIndex`: the event the platform named (`data[i]`), when it named one. Splitting the batch isolates it. */
  | { kind: 'rejected'; error: ProviderError; eventIndex?: number }
  /** The request itself failed: credentials (invalid_grant), permission_denied, not_found (pixel), rate_limited
   *  (with limitScope / retryAfterMs), unavailable (5xx, network, timeout, unparsable). Nothing was processed. */
  | { kind: 'failed'; error: ProviderError };
export interface EventSender {
  readonly provider: 'meta' | 'tiktok';
  /** Largest batch the platform takes in one request (1,000 for both). */
  readonly maxBatch: number;
  send(request: EventBatchRequest): Promise<EventBatchOutcome>;
}
