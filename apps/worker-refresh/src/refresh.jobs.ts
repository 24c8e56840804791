// worker-refresh's handlers: the sweep tick fans out due connections; each refresh job keeps one
// connection's credentials alive (packages/connections does the work).

import { deliverWebhook, enqueueDueRefreshes, refreshConnection, refreshDepsFrom } from '@adsync/connections';
import { createOutboundGuard, outboundPolicyFrom } from '@adsync/ssrf-guard';
import { consume, type QueueConsumer, type WorkerDeps } from '@adsync/worker-runtime';

export function refreshConsumers(deps: WorkerDeps): QueueConsumer[] {
  const refresh = refreshDepsFrom(deps);
  const webhooks = { ...refresh, outbound: createOutboundGuard(outboundPolicyFrom(deps.config)) };
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
    consume('webhooks', { 'deliver-webhook': async ({ data }) => deliverWebhook(webhooks, data) }),
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
