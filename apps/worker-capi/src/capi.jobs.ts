// worker-capi's handlers: flushes turn a destination's pending events into platform-sized delivery jobs;
// each delivery job sends its batch (packages/events does the work); a tick every 30 s reschedules
// flushes that a crash lost.

import { resolveProviders } from '@adsync/config';
import { refreshDepsFrom } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import {
  createEventBuffer,
  type DeliveryDeps,
  deliverEvents,
  enqueueLostFlushes,
  eventBufferOptions,
  type FlushDeps,
  flushDestination,
  registerDeliveryMetrics,
} from '@adsync/events';
import { createEventSenders } from '@adsync/providers';
import { consume, type QueueConsumer, type WorkerDeps } from '@adsync/worker-runtime';

const FLUSH_TICK_MS = 30_000;

export function capiConsumers(deps: WorkerDeps): QueueConsumer[] {
  const { config } = deps;
  const buffer = createEventBuffer(deps.redis, eventBufferOptions(config));
  const senders = createEventSenders(resolveProviders(config).settings);
  const flush: FlushDeps = {
    db: deps.db,
    buffer,
    producer: deps.producer,
    batchSize: (provider) => Math.min(config.EVENTS_BATCH_SIZE, senders[provider]?.maxBatch ?? 1_000),
  };
  const delivery: DeliveryDeps = {
    db: deps.db,
    keyring: createKeyring(config.ENCRYPTION_KEYS),
    buffer,
    senders,
    refresh: refreshDepsFrom(deps),
    logger: deps.logger,
    metrics: registerDeliveryMetrics(deps.metrics),
  };
  return [
    consume('capi-events', {
      'flush-tick': async ({ logger }) => {
        const enqueued = await enqueueLostFlushes(flush);
        if (enqueued > 0) logger.info({ enqueued }, 'flushes rescheduled for destinations with pending events');
        return { enqueued };
      },
      'flush-destination': async ({ data }) => flushDestination(flush, data),
      'deliver-events': async ({ data, attemptsMade, maxAttempts, logger }) =>
        deliverEvents({ ...delivery, logger }, { ...data, attemptsMade, maxAttempts }),
    }),
  ];
}

export async function declareCapiTicks(deps: WorkerDeps): Promise<void> {
  await deps.producer
    .queue('capi-events')
    .upsertJobScheduler('capi-flush-tick', { every: FLUSH_TICK_MS }, { name: 'flush-tick', data: {} });
}
