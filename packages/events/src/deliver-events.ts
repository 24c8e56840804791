// Delivery of one batch of a destination's events. Events are sent as one request up to the platform's
// maximum; a batch the platform refuses for an event's content is split until the bad events stand alone
// and are dead-lettered, while the rest is delivered. Throttles pause the limiter's scope and postpone the
// job without using an attempt; other failures retry with backoff and jitter, and on the last attempt what
// is left is dead-lettered with the reason. Each event leaves the buffer as soon as it is delivered or
// dead-lettered, so a retried job never sends an event twice; delivered events are counted per day as they
// leave, each once, for the brand's admin page.

import { getFreshAccessToken, type RefreshDeps, refreshConnection } from '@adsync/connections';
import { type Keyring, openSecret } from '@adsync/crypto';
import {
  addDeliveredEvents,
  type CapiDestination,
  type Db,
  type DestinationKey,
  findCapiDestination,
  recordDestinationOutcome,
} from '@adsync/db';
import { isAppError } from '@adsync/errors';
import type { Logger } from '@adsync/logging';
import type { EventSender, ProviderError } from '@adsync/providers';
import type { PlatformCall, PlatformLimiter } from '@adsync/worker-runtime';
import { RetryLaterError } from '@adsync/worker-runtime';
import { type DeadLetterReason, deadLetter } from './dead-letters.ts';
import type { EventBuffer } from './event-buffer.ts';
import type { DeliveryMetrics } from './event-metrics.ts';
import { type QueuedEvent, toPlatformEvent, windowProblem } from './platform-events.ts';

export interface DeliveryDeps {
  db: Db;
  keyring: Keyring;
  buffer: EventBuffer;
  senders: Partial<Record<'meta' | 'tiktok', EventSender>>;
  refresh: RefreshDeps & { limiter: PlatformLimiter };
  logger: Logger;
  metrics: DeliveryMetrics;
  now?: () => number;
}

export interface DeliveryJob {
  tenantId: string;
  destinationId: string;
  batch: number;
  /** 0 on the first attempt. */
  attemptsMade: number;
  maxAttempts: number;
}

export interface DeliverySummary {
  delivered: number;
  deadLettered: number;
  requests: number;
}

/** A failure of the whole request: retried with backoff, dead-lettered on the last attempt. */
export class DeliveryFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DeliveryFailure';
    this.code = code;
  }
}

/** How long a delivery waits for room under the fleet's limiter before it postpones the job. */
const LIMITER_WAIT_MS = 10_000;

/** Where a token for a destination comes from: its connection (refreshed as needed) or its own. */
export const DESTINATION_TOKEN_FIELD = 'capi_access_token';

async function destinationToken(deps: DeliveryDeps, destination: CapiDestination): Promise<string> {
  const tenantId = destination.tenant_id;
  if (destination.connection_id !== null) {
    return getFreshAccessToken(deps.refresh, { tenantId, connectionId: destination.connection_id });
  }
  if (destination.access_token_ciphertext === null) {
    throw new DeliveryFailure(
      'destination_has_no_token',
      'The destination has neither a connection nor its own token.',
    );
  }
  return openSecret(deps.keyring, destination.access_token_ciphertext, {
    tenantId,
    connectionId: destination.id,
    field: DESTINATION_TOKEN_FIELD,
  });
}

export async function deliverEvents(deps: DeliveryDeps, job: DeliveryJob): Promise<DeliverySummary> {
  const summary: DeliverySummary = { delivered: 0, deadLettered: 0, requests: 0 };
  const key = { tenantId: job.tenantId, destinationId: job.destinationId };
  const destination = await findCapiDestination(deps.db, key);
  const provider = destination?.provider ?? 'meta';
  const drop = async (events: readonly QueuedEvent[], reason: DeadLetterReason) => {
    if (events.length === 0) return;
    await deadLetter(deps, key, events, reason);
    await deps.buffer.remove(
      job.destinationId,
      job.batch,
      events.map((event) => event.eventId),
    );
    deps.metrics.deadLettered.inc({ provider, reason: reason.code }, events.length);
    summary.deadLettered += events.length;
  };
  try {
    await attemptDelivery(deps, job, destination, summary, drop);
    await deps.buffer.finishBatch(job.destinationId, job.batch);
    return summary;
  } catch (error) {
    if (error instanceof RetryLaterError) throw error;
    const reason = failureReason(error);
    if (destination !== undefined) {
      await recordDestinationOutcome(deps.db, destination.id, {
        errorCode: reason.code,
        errorMessage: reason.message,
        at: new Date(),
      }).catch(() => undefined);
    }
    if (job.attemptsMade + 1 < job.maxAttempts) {
      deps.metrics.retried.inc({ provider, reason: reason.code });
      throw error;
    }
    // The last attempt: what is still waiting goes to the dead letters, to be replayed once fixed. If even
    // that fails (Postgres is down), the job waits and tries again rather than end with events in limbo.
    try {
      await drop(await deps.buffer.load(job.destinationId, job.batch), reason);
    } catch (dropError) {
      deps.logger.error({ err: dropError }, 'could not dead-letter the events of a failed batch; retrying later');
      throw new RetryLaterError(60_000, 'could not dead-letter the events of a failed batch');
    }
    deps.logger.warn(
      { reason: reason.code, deadLettered: summary.deadLettered },
      'event batch dead-lettered after its last attempt',
    );
    await deps.buffer.finishBatch(job.destinationId, job.batch);
    return summary;
  }
}

type Drop = (events: readonly QueuedEvent[], reason: DeadLetterReason) => Promise<void>;

async function attemptDelivery(
  deps: DeliveryDeps,
  job: DeliveryJob,
  destination: CapiDestination | undefined,
  summary: DeliverySummary,
  drop: Drop,
): Promise<void> {
  const waiting = await deps.buffer.load(job.destinationId, job.batch);
  if (waiting.length === 0) return;

  if (destination === undefined || destination.deleted_at !== null) {
    await drop(waiting, { code: 'destination_deleted', message: 'The destination was deleted before delivery.' });
    return;
  }
  if (!destination.enabled) {
    await drop(waiting, { code: 'destination_disabled', message: 'The destination was disabled before delivery.' });
    return;
  }
  const sender = deps.senders[destination.provider];
  if (sender === undefined) {
    throw new DeliveryFailure('platform_not_configured', `${destination.provider} is not configured on this fleet.`);
  }

  const provider = destination.provider;
  const nowSeconds = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const stale = waiting.filter((queued) => windowProblem(provider, queued.event, nowSeconds) !== undefined);
  await drop(stale, {
    code: 'event_too_old',
    message: 'The event left the platform’s time window before it could be delivered.',
  });
  const fresh = waiting.filter((event) => !stale.includes(event));
  if (fresh.length === 0) return;

  const call: PlatformCall = { provider: `${provider}_events`, endpoint: 'events', account: destination.pixel_id };
  const accessToken = await destinationToken(deps, destination);
  const send = async (events: readonly QueuedEvent[]): Promise<void> => {
    if (!(await deps.refresh.limiter.before(call, LIMITER_WAIT_MS))) {
      throw new RetryLaterError(1_000, `no room under the ${provider} events rate limit`);
    }
    summary.requests += 1;
    const outcome = await sender.send({
      pixelId: destination.pixel_id,
      accessToken,
      testEventCode: destination.test_event_code,
      events: events.map((queued) => toPlatformEvent(provider, queued)),
    });
    deps.metrics.batches.inc({ provider, outcome: outcome.kind });
    if (outcome.kind === 'delivered') {
      const newlyDone = await deps.buffer.remove(
        job.destinationId,
        job.batch,
        events.map((event) => event.eventId),
      );
      await countDelivered(deps, { tenantId: job.tenantId, destinationId: job.destinationId }, newlyDone);
      const now = Date.now();
      deps.metrics.delivered.inc({ provider }, events.length);
      for (const event of events) deps.metrics.latency.observe({ provider }, (now - event.acceptedAt) / 1000);
      summary.delivered += events.length;
      return;
    }
    if (outcome.kind === 'rejected') {
      if (events.length === 1) {
        await drop(events, { code: 'rejected_by_platform', message: outcome.error.message });
        return;
      }
      // The platform named the event: try it alone; otherwise halve until the bad ones stand alone.
      const index = outcome.eventIndex;
      const half = Math.ceil(events.length / 2);
      const parts =
        index !== undefined && index >= 0 && index < events.length
          ? [events.slice(0, index), events.slice(index, index + 1), events.slice(index + 1)]
          : [events.slice(0, half), events.slice(half)];
      for (const part of parts) if (part.length > 0) await send(part);
      return;
    }
    await requestFailed(deps, call, destination, outcome.error);
  };
  await send(fresh);
  await recordDestinationOutcome(deps.db, destination.id, { deliveredAt: new Date() });
}

/**
 * Adds delivered events to the day's count. The events did reach the platform: a failed write is logged and
 * the delivery goes on, rather than retry a batch that must not be sent again.
 */
async function countDelivered(deps: DeliveryDeps, key: DestinationKey, count: number): Promise<void> {
  try {
    await addDeliveredEvents(deps.db, { ...key, count });
  } catch (error) {
    deps.logger.warn({ err: error, count }, 'could not count delivered events; the events were delivered');
  }
}

/** A failure of the whole request: throttles postpone, the rest retry with backoff. */
async function requestFailed(
  deps: DeliveryDeps,
  call: PlatformCall,
  destination: CapiDestination,
  error: ProviderError,
): Promise<never> {
  if (error.code === 'rate_limited') {
    const waitMs = error.retryAfterMs ?? 1_000;
    await deps.refresh.limiter.throttled(call, waitMs, error.limitScope);
    throw new RetryLaterError(waitMs, error.message);
  }
  if (error.code === 'invalid_grant') {
    // A connection's token: the refresh path decides (a dead grant flips it to needs_reauth and tells the brand).
    if (destination.connection_id !== null) {
      await refreshConnection(
        deps.refresh,
        { tenantId: destination.tenant_id, connectionId: destination.connection_id },
        { force: true },
      );
    }
    throw new DeliveryFailure(
      'token_rejected',
      `${error.message} Reconnect the platform or give the destination a new token; the events are kept and retried.`,
    );
  }
  throw new DeliveryFailure(error.code, error.message);
}

function failureReason(error: unknown): DeadLetterReason {
  if (error instanceof DeliveryFailure || isAppError(error)) return { code: error.code, message: error.message };
  return {
    code: 'internal_error',
    message: `Delivery failed: ${error instanceof Error ? error.message : String(error)}`,
  };
}
