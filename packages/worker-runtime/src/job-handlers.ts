// How a worker app declares what it consumes. Handlers are typed from the job catalog, so a queue's
// consumer that forgets one of its jobs does not compile.

import type { WorkerConfig } from '@adsync/config';
import type { Db } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { JobName, JobPayload, QueueName, QueueProducer } from '@adsync/queues';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

export interface JobContext<Q extends QueueName, J extends JobName<Q>> {
  /** The job's payload, parsed again with the catalog schema. */
  data: JobPayload<Q, J>;
  jobId: string;
  /** 0 on the first attempt. */
  attemptsMade: number;
  /** The job's attempts in all: on the last one, a handler may settle instead of failing. */
  maxAttempts: number;
  /** A child logger bound to queue, job and the ids in the payload. */
  logger: Logger;
  /** Aborted when the worker shuts down; long handlers should stop at the next safe point. */
  signal: AbortSignal;
}

export type JobHandler<Q extends QueueName, J extends JobName<Q>> = (context: JobContext<Q, J>) => Promise<unknown>;

export type QueueHandlers<Q extends QueueName> = { [J in JobName<Q>]: JobHandler<Q, J> };

export interface QueueConsumer {
  queue: QueueName;
  handlers: Record<string, JobHandler<never, never>>;
  concurrency?: number;
}

export function consume<Q extends QueueName>(
  queue: Q,
  handlers: QueueHandlers<Q>,
  options: { concurrency?: number } = {},
): QueueConsumer {
  return { queue, handlers: handlers as unknown as QueueConsumer['handlers'], ...options };
}

/** What main.ts builds once and hands to the app's handlers. */
export interface WorkerDeps {
  db: Db;
  producer: QueueProducer;
  logger: Logger;
  /** Producer-style connection (fails fast) for locks and limiters; not the BullMQ workers' own. */
  redis: Redis;
  config: WorkerConfig;
  /** The app's Prometheus registry (served on /metrics): handlers register their own metrics here. */
  metrics: Registry;
}
