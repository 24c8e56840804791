// What every fleet benchmark starts from: configuration from the environment (local defaults), a database
// of its own (dropped at the end), Redis connections under a prefix of its own, a queue producer, and the
// simulator in a child process with the given options. `close` leaves nothing behind.

import {
  DEV_ENCRYPTION_KEYS,
  parseEnv,
  processEnvironment,
  type WorkerConfig,
  workerConfigSchema,
} from '@adsync/config';
import { createDatabase, type Db, migrateToLatest } from '@adsync/db';
import { createLogger, type Logger } from '@adsync/logging';
import { createQueueProducer, createRedisConnection, type QueueName, type QueueProducer } from '@adsync/queues';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { startChildServer } from './child-server.ts';

export interface BenchContext {
  config: WorkerConfig;
  logger: Logger;
  prefix: string;
  db: Db;
  redis: Redis;
  workerRedis: Redis;
  producer: QueueProducer;
  simulatorUrl: string;
  /** Drops the database, empties the queues and stops the simulator. */
  close(queues: readonly QueueName[]): Promise<void>;
}

export async function createBenchContext(simulatorOptions: Record<string, unknown>): Promise<BenchContext> {
  const config = parseEnv(workerConfigSchema(0), { ...processEnvironment(), ENCRYPTION_KEYS: DEV_ENCRYPTION_KEYS });
  const stamp = Date.now().toString(36);
  const prefix = `{bench-${stamp}}`;
  const databaseName = `adsync_bench_${stamp}`;
  const admin = new pg.Client({ connectionString: config.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  const databaseUrl = new URL(config.DATABASE_URL);
  databaseUrl.pathname = `/${databaseName}`;
  const db = createDatabase({ url: databaseUrl.toString(), poolMax: 20, applicationName: 'bench' });
  await migrateToLatest(db);
  const redis = createRedisConnection({ url: config.REDIS_URL, role: 'producer', name: 'bench' });
  const workerRedis = createRedisConnection({ url: config.REDIS_URL, role: 'worker', name: 'bench-worker' });
  const producer = createQueueProducer({ connection: redis, prefix });
  const simulator = await startChildServer(new URL('./simulator-server.ts', import.meta.url).pathname, [
    JSON.stringify(simulatorOptions),
  ]);
  return {
    config,
    logger: createLogger({ name: 'bench', level: 'warn', format: 'json' }),
    prefix,
    db,
    redis,
    workerRedis,
    producer,
    simulatorUrl: simulator.url,
    async close(queues) {
      await producer.close();
      for (const name of queues)
        await new Queue(name, { connection: redis, prefix }).obliterate({ force: true }).catch(() => undefined);
      redis.disconnect();
      workerRedis.disconnect();
      await db.destroy();
      await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      await admin.end();
      await simulator.stop();
    },
  };
}

/** Polls `check` until it holds; throws past the deadline. */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the benchmark step did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The ceiling of a queue scenario: BullMQ alone running `jobs` no-op jobs at `concurrency` on the same Redis. */
export async function noopJobsPerSecond(context: BenchContext, jobs: number, concurrency: number): Promise<number> {
  const queue = new Queue('bench-noop', { connection: context.redis, prefix: context.prefix });
  for (let offset = 0; offset < jobs; offset += 5_000) {
    await queue.addBulk(Array.from({ length: Math.min(5_000, jobs - offset) }, () => ({ name: 'noop', data: {} })));
  }
  const started = performance.now();
  const worker = new Worker('bench-noop', async () => undefined, {
    connection: context.workerRedis,
    prefix: context.prefix,
    concurrency,
  });
  await until(async () => (await queue.getCompletedCount()) >= jobs, 10 * 60_000);
  const perSecond = jobs / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.obliterate({ force: true });
  return perSecond;
}
