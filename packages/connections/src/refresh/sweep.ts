// The refresh sweep: Postgres says which connections are due (keyset pages over an index), the queue gets
// one refresh job per connection (deduplicated per connection, so a slow refresh is never doubled). The
// next page is read while the current one is being enqueued.

import { type Db, type DueCursor, findDueConnections } from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';

const BATCH = 5_000;

/** Enqueues a refresh for every due connection; returns how many it enqueued. */
export async function enqueueDueRefreshes(
  deps: { db: Db; producer: QueueProducer },
  now: Date,
  batch = BATCH,
): Promise<number> {
  const page = (after?: DueCursor) =>
    findDueConnections(deps.db, { now, limit: batch, ...(after === undefined ? {} : { after }) });
  let enqueued = 0;
  // Two batches in flight at once keep both Redis and this process busy (BullMQ's adds are CPU on both).
  const inFlight: Promise<void>[] = [];
  let current = await page();
  while (current.length > 0) {
    const last = current.at(-1);
    const next =
      current.length === batch && last !== undefined
        ? page({ nextRefreshAt: last.next_refresh_at, id: last.id })
        : undefined;
    // Observed now, awaited below: a failed enqueue must not leave the read's rejection unhandled.
    next?.catch(() => undefined);
    const adding = deps.producer.enqueueBulk(
      'refresh',
      'refresh-connection',
      current.map((connection) => ({
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        reason: 'due' as const,
      })),
    );
    adding.catch(() => undefined);
    inFlight.push(adding);
    enqueued += current.length;
    if (inFlight.length >= 2) await inFlight.shift();
    current = next === undefined ? [] : await next;
  }
  await Promise.all(inFlight);
  return enqueued;
}
