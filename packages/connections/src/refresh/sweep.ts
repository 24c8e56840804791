// The refresh sweep: Postgres says which connections are due (an indexed range scan), the queue gets one
// refresh job per connection (deduplicated per connection, so a slow refresh is never doubled).

import { type Db, findDueConnections } from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';

const BATCH = 5_000;

/** Enqueues a refresh for every due connection; returns how many it enqueued. */
export async function enqueueDueRefreshes(deps: { db: Db; producer: QueueProducer }, now: Date): Promise<number> {
  let enqueued = 0;
  let offsetGuard = 0;
  for (;;) {
    const due = await findDueConnections(deps.db, { now, limit: BATCH, offset: offsetGuard });
    if (due.length === 0) return enqueued;
    await deps.producer.enqueueBulk(
      'refresh',
      'refresh-connection',
      due.map((connection) => ({
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        reason: 'due' as const,
      })),
    );
    enqueued += due.length;
    if (due.length < BATCH) return enqueued;
    // Enqueuing does not change next_refresh_at, so page on: the same rows would come back otherwise.
    offsetGuard += due.length;
  }
}
