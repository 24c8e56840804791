// The spend ticks: Postgres says which accounts are synced (selected accounts of live connections), the
// queues get one job per account, deduplicated per (account, hour) or (account, range). Losing Redis loses
// no schedule: the next tick derives the same work again.

import {
  type Db,
  findAccountsDueForRestatement,
  findSyncableAccounts,
  type SpendProvider,
  spendLookbacks,
} from '@adsync/db';
import type { QueueProducer } from '@adsync/queues';
import { restatementRange } from './spend-dates.ts';

const PAGE = 1_000;

export type Lookbacks = Record<SpendProvider, number>;

/** Enqueues this hour's sync of every syncable account; returns how many. */
export async function enqueueHourlySyncs(deps: { db: Db; producer: QueueProducer }, now: Date): Promise<number> {
  const tickHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000).toISOString();
  let enqueued = 0;
  let after: string | undefined;
  for (;;) {
    const page = await findSyncableAccounts(deps.db, { limit: PAGE, ...(after === undefined ? {} : { after }) });
    if (page.length === 0) return enqueued;
    await deps.producer.enqueueBulk(
      'spend-hourly',
      'sync-hourly-spend',
      page.map((account) => ({ tenantId: account.tenant_id, adAccountId: account.id, tickHour })),
    );
    enqueued += page.length;
    after = page.at(-1)?.id;
    if (page.length < PAGE) return enqueued;
  }
}

/**
 * Enqueues the nightly restatement of every account whose local clock has passed `localHour` and that
 * has not been restated today, over its tenant's lookback for its platform (else the default).
 */
export async function enqueueNightlyRestatements(
  deps: { db: Db; producer: QueueProducer },
  options: { now: Date; localHour: number; defaults: Lookbacks },
): Promise<number> {
  let enqueued = 0;
  let after: string | undefined;
  for (;;) {
    const page = await findAccountsDueForRestatement(deps.db, {
      localHour: options.localHour,
      now: options.now,
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    if (page.length === 0) return enqueued;
    // One read of the page's tenants' own windows.
    const tenantLookbacks = await spendLookbacks(deps.db, [...new Set(page.map((account) => account.tenant_id))]);
    await deps.producer.enqueueBulk(
      'spend-nightly',
      'restate-spend',
      page.map((account) => {
        const days = tenantLookbacks.get(account.tenant_id)?.[account.provider] ?? options.defaults[account.provider];
        return {
          tenantId: account.tenant_id,
          adAccountId: account.id,
          ...restatementRange(account.local_date, days),
          reason: 'nightly' as const,
        };
      }),
    );
    enqueued += page.length;
    after = page.at(-1)?.id;
    if (page.length < PAGE) return enqueued;
  }
}
