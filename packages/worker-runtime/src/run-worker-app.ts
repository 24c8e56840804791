// The whole life of a worker process, written once for the four worker apps: read config, connect,
// consume, answer health probes, and on SIGTERM/SIGINT stop within SHUTDOWN_TIMEOUT_MS.

import { devDefaultsAllowedOnPublicUrl, loadConfigOrExit, workerConfigSchema } from '@adsync/config';
import { createDatabase } from '@adsync/db';
import { createLogger, logFormatFor } from '@adsync/logging';
import { createMetricsRegistry } from '@adsync/metrics';
import { createQueueProducer, createRedisConnection, type QueueName } from '@adsync/queues';
import type { QueueConsumer, WorkerDeps } from './job-handlers.ts';
import { createWorkerRuntime } from './worker-runtime.ts';

export interface WorkerAppDefinition {
  /** e.g. `worker-refresh`; names the logger, the metrics and the Redis/Postgres connections. */
  name: string;
  defaultHealthPort: number;
  /** The queues this app owns. */
  queues: readonly QueueName[];
  consumers: (deps: WorkerDeps) => readonly QueueConsumer[];
  /** Runs once the consumers are up, e.g. to (re)declare the app's Job Schedulers. */
  onStart?: (deps: WorkerDeps) => Promise<void>;
}

export async function runWorkerApp(definition: WorkerAppDefinition): Promise<void> {
  const config = loadConfigOrExit(workerConfigSchema(definition.defaultHealthPort), definition.name);
  const logger = createLogger({ name: definition.name, level: config.LOG_LEVEL, format: logFormatFor(config) });
  const devDefaults = devDefaultsAllowedOnPublicUrl(config, { providers: true });
  if (devDefaults !== undefined) logger.warn(devDefaults);
  const db = createDatabase({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    applicationName: definition.name,
    onConnectionError: (error) => logger.warn({ err: error }, 'a Postgres connection failed; the pool replaces it'),
  });
  const redis = createRedisConnection({ url: config.REDIS_URL, role: 'producer', name: `${definition.name}:producer` });
  const workerConnection = createRedisConnection({ url: config.REDIS_URL, role: 'worker', name: definition.name });
  for (const client of [redis, workerConnection]) {
    client.on('error', (error) => logger.warn({ err: error }, 'Redis connection error; reconnecting'));
  }
  const producer = createQueueProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  const metrics = createMetricsRegistry(definition.name);
  const deps: WorkerDeps = { db, producer, logger, redis, config, metrics };
  const runtime = createWorkerRuntime({
    app: definition.name,
    deps,
    workerConnection,
    redis,
    prefix: config.QUEUE_PREFIX,
    queues: definition.queues,
    consumers: definition.consumers(deps),
    concurrency: config.WORKER_CONCURRENCY,
    jobLockMs: config.WORKER_JOB_LOCK_SECONDS * 1000,
    tenantConcurrency: config.TENANT_CONCURRENCY,
    health: { host: config.WORKER_HEALTH_HOST, port: config.WORKER_HEALTH_PORT },
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down: finishing running jobs');
    const graceful = await runtime.stop(config.SHUTDOWN_TIMEOUT_MS);
    if (!graceful) logger.warn('shutdown deadline passed; running jobs will be retried by another worker');
    await producer.close();
    await Promise.all([redis.quit().catch(() => undefined), workerConnection.quit().catch(() => undefined)]);
    await db.destroy();
    logger.info('stopped');
    logger.flush();
    process.exit(graceful ? 0 : 1);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));

  const { healthUrl } = await runtime.start();
  await definition.onStart?.(deps);
  logger.info({ queues: definition.queues, healthUrl }, `${definition.name} started`);
}
