// Flushing hands a destination's pending events to delivery jobs, a platform-sized batch each. A batch is
// claimed in Redis before its job is added and released after, and its job id comes from the batch number:
// a flush that dies in between is retried and adds the same job once. The safety tick finds destinations
// whose flush was lost (a crash between storing events and scheduling it) and schedules one.

import { type CapiProvider, type Db, destinationTenants, findCapiDestination } from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';
import type { EventBuffer } from './event-buffer.ts';

export interface FlushDeps {
  db: Db;
  buffer: EventBuffer;
  producer: QueueProducer;
  /** Events per request for the platform (its maximum, or less by configuration). */
  batchSize: (provider: CapiProvider) => number;
}

export function deliveryJobId(destinationId: string, batch: number): string {
  return `capi-${destinationId}-${batch}`;
}

export async function flushDestination(
  deps: FlushDeps,
  target: { tenantId: string; destinationId: string },
): Promise<{ batches: number }> {
  await deps.buffer.disarm(target.destinationId);
  const destination = await findCapiDestination(deps.db, target);
  // A deleted destination's events still go through delivery, which dead-letters them with the reason.
  const size = deps.batchSize(destination?.provider ?? 'meta');
  let batches = 0;
  for (;;) {
    const batch = await deps.buffer.claim(target.destinationId, size);
    if (batch === undefined) break;
    await deps.producer.enqueue(
      'capi-events',
      'deliver-events',
      { ...target, batch },
      { jobId: deliveryJobId(target.destinationId, batch) },
    );
    await deps.buffer.releaseClaim(target.destinationId);
    batches += 1;
  }
  return { batches };
}

export async function enqueueLostFlushes(deps: FlushDeps): Promise<number> {
  const candidates = await deps.buffer.destinationsWithWork();
  const withWork: string[] = [];
  for (const destinationId of candidates) {
    if (await deps.buffer.hasPendingWork(destinationId)) withWork.push(destinationId);
  }
  const tenants = await destinationTenants(deps.db, withWork);
  const flushes = withWork.flatMap((destinationId) => {
    const tenantId = tenants.get(destinationId);
    return tenantId === undefined ? [] : [{ tenantId, destinationId }];
  });
  await deps.producer.enqueueBulk('capi-events', 'flush-destination', flushes);
  return flushes.length;
}
