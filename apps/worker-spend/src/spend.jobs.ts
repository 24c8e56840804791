// worker-spend's handlers: the hourly and nightly ticks fan out per-account jobs; each job syncs one ad
// account's spend (packages/spend does the work).

import { resolveProviders } from '@adsync/config';
import { refreshDepsFrom } from '@adsync/connections';
import {
  createSpendReaders,
  enqueueHourlySyncs,
  enqueueNightlyRestatements,
  registerSpendMetrics,
  type SpendSyncDeps,
  syncAccountSpend,
  syncHourlySpend,
} from '@adsync/spend';
import { consume, type QueueConsumer, type WorkerDeps } from '@adsync/worker-runtime';

export function spendDepsFrom(deps: WorkerDeps): SpendSyncDeps {
  const { config } = deps;
  return {
    db: deps.db,
    refresh: refreshDepsFrom(deps),
    readers: createSpendReaders(resolveProviders(config).settings, {
      metaStallMs: config.META_REPORT_STALL_SECONDS * 1000,
    }),
    restatementThresholdPercent: config.SPEND_RESTATEMENT_THRESHOLD_PERCENT,
    logger: deps.logger,
    metrics: registerSpendMetrics(deps.metrics),
  };
}

export function spendConsumers(deps: WorkerDeps): QueueConsumer[] {
  const spend = spendDepsFrom(deps);
  const { config } = deps;
  return [
    consume('spend-hourly', {
      'hourly-tick': async ({ logger }) => {
        const enqueued = await enqueueHourlySyncs(deps, new Date());
        logger.info({ enqueued }, 'hourly spend syncs enqueued');
        return { enqueued };
      },
      'sync-hourly-spend': async ({ data, jobId, signal }) =>
        syncHourlySpend(spend, {
          tenantId: data.tenantId,
          adAccountId: data.adAccountId,
          yesterdayHours: config.SPEND_YESTERDAY_HOURS,
          jobId,
          signal,
        }),
    }),
    consume('spend-nightly', {
      'nightly-tick': async ({ logger }) => {
        const enqueued = await enqueueNightlyRestatements(deps, {
          now: new Date(),
          localHour: config.SPEND_NIGHTLY_LOCAL_HOUR,
          defaults: {
            meta: config.SPEND_LOOKBACK_META_DAYS,
            google: config.SPEND_LOOKBACK_GOOGLE_DAYS,
            tiktok: config.SPEND_LOOKBACK_TIKTOK_DAYS,
          },
        });
        if (enqueued > 0) logger.info({ enqueued }, 'nightly restatements enqueued');
        return { enqueued };
      },
      'restate-spend': async ({ data, jobId, signal }) =>
        syncAccountSpend(spend, {
          tenantId: data.tenantId,
          adAccountId: data.adAccountId,
          from: data.from,
          to: data.to,
          kind: data.reason,
          jobId,
          signal,
        }),
    }),
  ];
}

/** The two ticks' Job Schedulers: one tick per interval for the whole fleet, however many workers run. */
export async function declareSpendTicks(deps: WorkerDeps): Promise<void> {
  await deps.producer
    .queue('spend-hourly')
    .upsertJobScheduler(
      'spend-hourly-tick',
      { every: deps.config.SPEND_HOURLY_EVERY_SECONDS * 1000 },
      { name: 'hourly-tick', data: {} },
    );
  // Hourly: each tick restates the accounts whose local night has just come, wherever they are.
  await deps.producer
    .queue('spend-nightly')
    .upsertJobScheduler('spend-nightly-tick', { every: 3_600_000 }, { name: 'nightly-tick', data: {} });
}
