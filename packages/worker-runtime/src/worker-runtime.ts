// Runs a worker app's consumers: one BullMQ worker per consumed queue, job metrics, queue-depth
// metrics, health endpoints, and a graceful stop that lets running jobs finish within a deadline.

import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkReadiness } from '@adsync/health';
import { registerQueueDepth } from '@adsync/metrics';
import { createTenantFairness, type QueueName } from '@adsync/queues';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHealthServer } from './health-server.ts';
import type { QueueConsumer, WorkerDeps } from './job-handlers.ts';
import { createJobProcessor } from './job-processor.ts';
import { createJobMetrics } from './worker-metrics.ts';

/**
 * A job whose worker died under it (a deploy, an eviction, an OOM kill) runs again up to this many times
 * before it fails for good. Every job is idempotent; BullMQ's default of 1 fails a long Klaviyo sync that
 * two rolling restarts in a row happen to hit.
 */
const MAX_STALLED_RUNS = 3;

export interface WorkerRuntimeOptions {
  app: string;
  deps: WorkerDeps;
  /** Connection for BullMQ workers (patient: `maxRetriesPerRequest: null`). */
  workerConnection: Redis;
  /** Connection for health checks. */
  redis: Redis;
  prefix: string;
  /** Queues this app owns; their depth is exported even before any job runs. */
  queues: readonly QueueName[];
  consumers: readonly QueueConsumer[];
  concurrency: number;
  /** How long a job's lock lasts without renewal; also how often stalled jobs are looked for. */
  jobLockMs?: number;
  /** Running jobs one tenant may have per queue, fleet-wide; unset: no cap. */
  tenantConcurrency?: number;
  health: { host: string; port: number };
}

export interface WorkerRuntime {
  start(): Promise<{ healthUrl: string }>;
  /** Resolves true when every running job finished in time, false when the deadline forced the stop. */
  stop(timeoutMs: number): Promise<boolean>;
}

export function createWorkerRuntime(options: WorkerRuntimeOptions): WorkerRuntime {
  const { deps } = options;
  const registry = options.deps.metrics;
  registerQueueDepth(
    registry,
    options.queues.map((name) => deps.producer.queue(name)),
  );
  const metrics = createJobMetrics(registry);
  const shutdown = new AbortController();
  const fairness = createTenantFairness(options.redis, options.prefix);
  const cap =
    options.tenantConcurrency === undefined
      ? undefined
      : { fairness, limit: options.tenantConcurrency, staleAfterMs: 2 * (options.jobLockMs ?? 30_000) };
  const workers: Worker[] = [];
  let server: Server | undefined;

  return {
    async start() {
      for (const consumer of options.consumers) {
        const worker = new Worker(consumer.queue, createJobProcessor(consumer, deps.logger, shutdown.signal, cap), {
          connection: options.workerConnection,
          prefix: options.prefix,
          concurrency: consumer.concurrency ?? options.concurrency,
          maxStalledCount: MAX_STALLED_RUNS,
          ...(options.jobLockMs === undefined
            ? {}
            : { lockDuration: options.jobLockMs, stalledInterval: options.jobLockMs }),
        });
        worker.on('error', (error) => deps.logger.error({ err: error, queue: consumer.queue }, 'worker error'));
        worker.on('failed', (job, error) =>
          deps.logger.warn(
            { queue: consumer.queue, job: job?.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: error },
            'job attempt failed',
          ),
        );
        // A job's place in its tenant's line is given back when it leaves the queue for good.
        const release = (job: { data: unknown } | undefined) => {
          const tenantId = (job?.data as { tenantId?: unknown } | undefined)?.tenantId;
          if (typeof tenantId === 'string') {
            fairness.release(consumer.queue, tenantId).catch((error: unknown) => {
              deps.logger.warn({ err: error, queue: consumer.queue }, 'could not release a tenant place');
            });
          }
        };
        worker.on('completed', (job) => release(job));
        worker.on('failed', (job) => {
          if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) release(job);
        });
        metrics.observe(worker);
        workers.push(worker);
      }
      server = createHealthServer({
        registry,
        isAlive: () => !shutdown.signal.aborted,
        readiness: () => checkReadiness({ db: deps.db, redis: options.redis }),
      });
      server.listen(options.health.port, options.health.host);
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      return { healthUrl: `http://${options.health.host}:${port}` };
    },

    async stop(timeoutMs) {
      shutdown.abort();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const graceful = await Promise.race([
        Promise.all(workers.map((worker) => worker.close())).then(() => true),
        deadline,
      ]);
      clearTimeout(timer);
      if (!graceful) {
        // BullMQ cannot force a close that has already started, so cut the workers' connections: their
        // jobs' locks stop being renewed, and the stalled-job check hands those jobs to another worker.
        // Nothing is lost; at worst an attempt is repeated.
        await Promise.all(workers.map((worker) => worker.disconnect().catch(() => undefined)));
      }
      server?.closeAllConnections();
      if (server !== undefined) await new Promise((resolve) => server?.close(resolve));
      return graceful;
    },
  };
}
