// The work a connection gets as soon as it is active: a 30-day spend backfill (in chunks, most recent
// first) and this hour's spend for each selected ad account, or a full Klaviyo sync. Postgres stays the source of truth: if Redis is down
// now, the next scheduler tick finds the same work due.

import type { AdAccount, Connection } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { QueueProducer } from '@adsync/queues';
import { backfillRanges, localClock } from '@adsync/spend';

/** Days of spend a new connection's accounts start with (the nightly restatement keeps them right). */
const FIRST_BACKFILL_DAYS = 30;

export async function enqueueFirstSyncs(
  deps: { producer: QueueProducer; logger: Logger; config: { SPEND_BACKFILL_CHUNK_DAYS: number } },
  connection: Connection,
  accounts: readonly AdAccount[],
  now = Date.now(),
): Promise<void> {
  const tenantId = connection.tenant_id;
  try {
    if (connection.provider === 'klaviyo') {
      await deps.producer.enqueueBulk(
        'klaviyo-sync',
        'sync-klaviyo',
        (['lists', 'segments', 'catalog'] as const).map((scope) => ({ tenantId, connectionId: connection.id, scope })),
      );
      return;
    }
    const tickHour = new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString();
    await deps.producer.enqueueBulk(
      'spend-nightly',
      'restate-spend',
      // Most recent chunks first, every account's first chunk before anyone's older days.
      accounts
        .flatMap((account) =>
          backfillRanges(
            localClock(now, account.timezone).date,
            FIRST_BACKFILL_DAYS,
            deps.config.SPEND_BACKFILL_CHUNK_DAYS,
          ).map((range, order) => ({
            order,
            job: { tenantId, adAccountId: account.id, ...range, reason: 'backfill' as const },
          })),
        )
        .sort((a, b) => a.order - b.order)
        .map((entry) => entry.job),
    );
    await deps.producer.enqueueBulk(
      'spend-hourly',
      'sync-hourly-spend',
      accounts.map((account) => ({ tenantId, adAccountId: account.id, tickHour })),
    );
  } catch (error) {
    deps.logger.warn(
      { err: error, tenantId, connectionId: connection.id },
      'could not enqueue the first syncs; the next scheduler tick will pick the work up',
    );
  }
}
