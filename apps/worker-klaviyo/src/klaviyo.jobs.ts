// worker-klaviyo's handlers: the tick fans out a lists, a segments and a catalog sync of every live Klaviyo
// connection; each sync job reads one connection's lists, its segments and their members, or its catalog
// items (packages/klaviyo).

import { resolveProviders } from '@adsync/config';
import { refreshDepsFrom } from '@adsync/connections';
import { enqueueKlaviyoSyncs, type KlaviyoSyncDeps, runListJob, syncKlaviyo } from '@adsync/klaviyo';
import { consume, type QueueConsumer, type WorkerDeps } from '@adsync/worker-runtime';

export function klaviyoDepsFrom(deps: WorkerDeps): KlaviyoSyncDeps {
  return {
    db: deps.db,
    refresh: refreshDepsFrom(deps),
    // The Klaviyo key check (a private key needs no app registration) keeps Klaviyo always configured.
    settings: resolveProviders(deps.config).settings.klaviyo,
    logger: deps.logger,
  };
}

export function klaviyoConsumers(deps: WorkerDeps): QueueConsumer[] {
  const klaviyo = klaviyoDepsFrom(deps);
  return [
    consume('klaviyo-sync', {
      'sync-tick': async ({ logger }) => {
        const enqueued = await enqueueKlaviyoSyncs(deps);
        if (enqueued > 0) logger.info({ enqueued }, 'Klaviyo syncs enqueued');
        return { enqueued };
      },
      'sync-klaviyo': async ({ data }) => syncKlaviyo(klaviyo, data),
      'list-job': async ({ data, attemptsMade, maxAttempts }) =>
        runListJob(klaviyo, data, { isLast: attemptsMade + 1 >= maxAttempts }),
    }),
  ];
}

/** The tick's Job Scheduler: one tick per interval for the whole fleet, however many workers run. */
export async function declareKlaviyoTicks(deps: WorkerDeps): Promise<void> {
  await deps.producer
    .queue('klaviyo-sync')
    .upsertJobScheduler(
      'klaviyo-sync-tick',
      { every: deps.config.KLAVIYO_SYNC_EVERY_SECONDS * 1000 },
      { name: 'sync-tick', data: {} },
    );
}
