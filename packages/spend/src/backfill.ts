// Backfill: N days of one account's spend, most recent first, as restatement jobs of a few days each. The
// gateway's API and the CLI both come here, so both check the same things and split the same way.

import { type Db, findSpendAccount } from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { QueueProducer } from '@adsync/queues';
import { backfillRanges, type DateRange, localClock } from './spend-dates.ts';

/** Meta keeps 37 months of insights; nothing older can be read anywhere. */
export const MAX_BACKFILL_DAYS = 1_095;

export async function enqueueBackfill(
  deps: { db: Db; producer: QueueProducer },
  request: { tenantId: string; adAccountId: string; days: number; chunkDays: number; now?: number },
): Promise<DateRange[]> {
  if (!Number.isInteger(request.days) || request.days < 1 || request.days > MAX_BACKFILL_DAYS) {
    throw new AppError('invalid_backfill_days', `days must be a whole number from 1 to ${MAX_BACKFILL_DAYS}.`, {
      status: 400,
    });
  }
  const found = await findSpendAccount(deps.db, { tenantId: request.tenantId, adAccountId: request.adAccountId });
  if (found === undefined || found.account.provider === 'klaviyo') {
    throw new AppError('ad_account_not_found', 'No ad account with this id belongs to you.', { status: 404 });
  }
  if (!found.account.selected) {
    throw new AppError('ad_account_not_selected', 'Select this ad account for syncing before backfilling it.', {
      status: 409,
    });
  }
  if (found.connection.status !== 'active' && found.connection.status !== 'degraded') {
    throw new AppError(
      'connection_not_active',
      `The ${found.connection.provider} connection is ${found.connection.status}; reconnect it first.`,
      { status: 409 },
    );
  }
  const today = localClock(request.now ?? Date.now(), found.account.timezone).date;
  const ranges = backfillRanges(today, request.days, request.chunkDays);
  await deps.producer.enqueueBulk(
    'spend-nightly',
    'restate-spend',
    ranges.map((range) => ({
      tenantId: request.tenantId,
      adAccountId: request.adAccountId,
      ...range,
      reason: 'backfill' as const,
    })),
  );
  return ranges;
}
