// Puts jobs on queues through the catalog: the payload is validated before it reaches Redis, and each
// job gets its catalog options and deduplication id.

import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type JobDefinition,
  type JobName,
  type JobPayload,
  jobDefinition,
  QUEUE_NAMES,
  type QueueName,
} from './catalog.ts';
import { createTenantFairness, MAX_PRIORITY } from './tenant-fairness.ts';

export interface EnqueueOptions {
  delay?: number;
  priority?: number;
  /** A job id derived from the work itself, so enqueueing the same work twice adds one job. */
  jobId?: string;
}

export interface QueueProducer {
  enqueue<Q extends QueueName, J extends JobName<Q>>(
    queue: Q,
    job: J,
    payload: JobPayload<Q, J>,
    options?: EnqueueOptions,
  ): Promise<void>;
  enqueueBulk<Q extends QueueName, J extends JobName<Q>>(
    queue: Q,
    job: J,
    payloads: readonly JobPayload<Q, J>[],
  ): Promise<void>;
  /** The BullMQ queue, for dashboards and metrics. */
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function jobOptionsFor(definition: JobDefinition, payload: unknown, extra: EnqueueOptions = {}): JobsOptions {
  const options: JobsOptions = { ...definition.options, ...extra };
  if (definition.deduplicationId !== undefined) {
    options.deduplication = {
      id: definition.deduplicationId(payload as never),
      ...(definition.keepLastIfActive === true ? { keepLastIfActive: true } : {}),
    };
  }
  return options;
}

/** The tenant a payload belongs to, when it has one. */
function tenantOf(data: unknown): string | undefined {
  const tenantId = (data as { tenantId?: unknown }).tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}

export function createQueueProducer(options: { connection: Redis; prefix: string }): QueueProducer {
  const fairness = createTenantFairness(options.connection, options.prefix);
  const queues = new Map(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection: options.connection, prefix: options.prefix })]),
  );
  const queueFor = (name: QueueName): Queue => {
    const queue = queues.get(name);
    if (queue === undefined) throw new Error(`unknown queue "${name}"`);
    return queue;
  };
  return {
    async enqueue(queue, job, payload, extra = {}) {
      const definition = jobDefinition(queue, job);
      const data = definition.payload.parse(payload);
      const tenantId = tenantOf(data);
      const priority =
        extra.priority ??
        (tenantId === undefined ? undefined : (await fairness.reserve(queue, new Map([[tenantId, 1]]))).get(tenantId));
      await queueFor(queue).add(
        job,
        data,
        jobOptionsFor(definition, data, { ...extra, ...(priority === undefined ? {} : { priority }) }),
      );
    },
    async enqueueBulk(queue, job, payloads) {
      const definition = jobDefinition(queue, job);
      const parsed = payloads.map((payload) => definition.payload.parse(payload));
      // One reservation per tenant for the whole batch: its jobs get consecutive priorities.
      const counts = new Map<string, number>();
      for (const data of parsed) {
        const tenantId = tenantOf(data);
        if (tenantId !== undefined) counts.set(tenantId, (counts.get(tenantId) ?? 0) + 1);
      }
      const next = await fairness.reserve(queue, counts);
      const jobs = parsed.map((data) => {
        const tenantId = tenantOf(data);
        const priority = tenantId === undefined ? undefined : next.get(tenantId);
        if (tenantId !== undefined && priority !== undefined) next.set(tenantId, Math.min(MAX_PRIORITY, priority + 1));
        return { name: job, data, opts: jobOptionsFor(definition, data, priority === undefined ? {} : { priority }) };
      });
      if (jobs.length > 0) await queueFor(queue).addBulk(jobs);
    },
    queue: queueFor,
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
