// The work a connection gets as soon as it is active: a 30-day spend backfill and this hour's spend for
// each selected ad account, or a full Klaviyo sync. Postgres stays the source of truth: if Redis is down
// now, the next scheduler tick finds the same work due.

import type { AdAccount, Connection } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { QueueProducer } from '@adsync/queues';

const BACKFILL_DAYS = 30;

/** The calendar date at `instant` in `timeZone`, 'YYYY-MM-DD'. */
function localDate(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
}

function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export async function enqueueFirstSyncs(
  deps: { producer: QueueProducer; logger: Logger },
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
      accounts.map((account) => {
        const today = localDate(now, account.timezone);
        return {
          tenantId,
          adAccountId: account.id,
          from: daysBefore(today, BACKFILL_DAYS - 1),
          to: today,
          reason: 'backfill' as const,
        };
      }),
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
