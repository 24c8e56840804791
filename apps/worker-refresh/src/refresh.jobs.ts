// worker-refresh's handlers: the sweep tick fans out due connections; each refresh job keeps one
// connection's credentials alive (packages/connections does the work).

import { resolveProviders } from '@adsync/config';
import {
  createPlatformClients,
  createSingleFlight,
  deliverWebhook,
  enqueueDueRefreshes,
  type RefreshDeps,
  refreshConnection,
  registerRefreshMetrics,
} from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import {
  consume,
  createPlatformLimiter,
  createRateLimiter,
  type QueueConsumer,
  type WorkerDeps,
} from '@adsync/worker-runtime';

export function refreshDepsFrom(deps: WorkerDeps): RefreshDeps {
  const { config } = deps;
  return {
    db: deps.db,
    producer: deps.producer,
    keyring: createKeyring(config.ENCRYPTION_KEYS),
    platforms: createPlatformClients(resolveProviders(config)),
    // As long as a job's own lock: when a worker dies mid-refresh, its job and its connection lock free up
    // together, and the job's next run can refresh.
    singleFlight: createSingleFlight(deps.redis, {
      keyPrefix: config.QUEUE_PREFIX,
      lockMs: config.WORKER_JOB_LOCK_SECONDS * 1000,
    }),
    timing: {
      marginMs: config.REFRESH_MARGIN_SECONDS * 1000,
      healthCheckIntervalMs: config.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
    },
    logger: deps.logger,
    metrics: registerRefreshMetrics(deps.metrics, deps.db),
    limiter: createPlatformLimiter(
      createRateLimiter(deps.redis, config.QUEUE_PREFIX),
      config.RATE_LIMITS,
      deps.metrics,
    ),
  };
}

export function refreshConsumers(deps: WorkerDeps): QueueConsumer[] {
  const refresh = refreshDepsFrom(deps);
  return [
    consume('refresh', {
      'sweep-due-connections': async ({ logger }) => {
        const enqueued = await enqueueDueRefreshes(deps, new Date());
        if (enqueued > 0) logger.info({ enqueued }, 'due connections enqueued');
        return { enqueued };
      },
      'refresh-connection': async ({ data }) =>
        refreshConnection(refresh, data, { force: data.reason === 'on-demand' }),
    }),
    consume('webhooks', { 'deliver-webhook': async ({ data }) => deliverWebhook(refresh, data) }),
  ];
}

/** The sweep's Job Scheduler: one tick per interval for the whole fleet, however many workers run. */
export async function declareSweep(deps: WorkerDeps): Promise<void> {
  await deps.producer
    .queue('refresh')
    .upsertJobScheduler(
      'refresh-sweep',
      { every: deps.config.REFRESH_SWEEP_EVERY_SECONDS * 1000 },
      { name: 'sweep-due-connections', data: {} },
    );
}
