// Prometheus metrics every adsync process exposes: process defaults plus the depth of the queues it
// produces to or consumes, read from Redis at scrape time (never cached, so a scrape is the truth).

import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, prefix: 'adsync_' });
  return registry;
}

export function registerQueueDepth(registry: Registry, queues: readonly Queue[]): void {
  new Gauge({
    name: 'adsync_queue_jobs',
    help: 'Jobs in each queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_STATES)));
        queues.forEach((queue, index) => {
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[index]?.[state] ?? 0);
        });
      } catch {
        // Redis is down: report no depth rather than a stale one; readiness says what is wrong.
      }
    },
  });
}
