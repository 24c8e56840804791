import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseEnv, workerConfigSchema } from '@adsync/config';
import { createMetricsRegistry } from '@adsync/metrics';
import { createQueueProducer, createRedisConnection, type QueueProducer } from '@adsync/queues';
import { createCapturingLogger, useTestEnvironment } from '@adsync/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consume, createWorkerRuntime, type JobContext, type WorkerRuntime } from './index.ts';

const env = useTestEnvironment();
const { logger, lines: logLines } = createCapturingLogger('runtime-test', 'info');
const tenantId = '11111111-1111-4111-8111-111111111111';
const connectionId = '22222222-2222-4222-8222-222222222222';

let producerConnection: Redis;
let workerConnection: Redis | undefined;
let producer: QueueProducer;
let runtime: WorkerRuntime | undefined;

beforeAll(() => {
  producerConnection = createRedisConnection({ url: env.redisUrl, role: 'producer', name: 'test-producer' });
  producer = createQueueProducer({ connection: producerConnection, prefix: env.queuePrefix });
});

afterEach(async () => {
  await runtime?.stop(1_000);
  runtime = undefined;
  // A stop past its deadline cuts the workers' connection: each runtime gets its own.
  workerConnection?.disconnect();
  await producer.queue('refresh').obliterate({ force: true });
});

afterAll(async () => {
  await producer.close();
  producerConnection.disconnect();
});

function startRuntime(
  handler: (context: JobContext<'refresh', 'refresh-connection'>) => Promise<unknown>,
  options: { concurrency?: number; tenantConcurrency?: number } = {},
) {
  workerConnection = createRedisConnection({ url: env.redisUrl, role: 'worker', name: 'test-worker' });
  runtime = createWorkerRuntime({
    app: 'worker-test',
    deps: {
      db: env.db,
      producer,
      logger,
      redis: producerConnection,
      config: parseEnv(workerConfigSchema(0), {}),
      metrics: createMetricsRegistry('worker-test'),
    },
    workerConnection: workerConnection,
    redis: producerConnection,
    prefix: env.queuePrefix,
    queues: ['refresh'],
    // The sweep tick is not under test here; it has to be handled for the queue's consumer to compile.
    consumers: [
      consume(
        'refresh',
        { 'refresh-connection': handler, 'sweep-due-connections': async () => undefined },
        { concurrency: options.concurrency ?? 2 },
      ),
    ],
    ...(options.tenantConcurrency === undefined ? {} : { tenantConcurrency: options.tenantConcurrency }),
    concurrency: 1,
    health: { host: '127.0.0.1', port: 0 },
  });
  return runtime.start();
}

async function jobStates() {
  return producer.queue('refresh').getJobCounts('waiting', 'active', 'completed', 'failed');
}

describe('worker runtime', () => {
  it('runs the handler with the parsed payload, and reports health and metrics', async () => {
    const seen: unknown[] = [];
    const { healthUrl } = await startRuntime(async (context) => {
      seen.push({ data: context.data, attemptsMade: context.attemptsMade, aborted: context.signal.aborted });
      return { refreshed: true };
    });
    await producer.enqueue('refresh', 'refresh-connection', { tenantId, connectionId, reason: 'due' });
    await expect.poll(jobStates, { timeout: 10_000 }).toMatchObject({ completed: 1 });
    expect(seen).toEqual([{ data: { tenantId, connectionId, reason: 'due' }, attemptsMade: 0, aborted: false }]);

    expect(await (await fetch(`${healthUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${healthUrl}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    expect(metrics).toContain(
      'adsync_jobs_completed_total{queue="refresh",job="refresh-connection",app="worker-test"} 1',
    );
    expect(metrics).toContain('adsync_queue_jobs{queue="refresh",state="waiting",app="worker-test"} 0');
    const durationCount = metrics
      .split('\n')
      .find((line) => line.startsWith('adsync_job_duration_seconds_count') && line.includes('outcome="completed"'));
    expect(durationCount).toMatch(/ 1$/);

    // One line says how the run ended, with the job's ids, its duration and what it returned.
    const done = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'job done');
    expect(done).toEqual([
      expect.objectContaining({
        queue: 'refresh',
        job: 'refresh-connection',
        tenantId,
        connectionId,
        durationMs: expect.any(Number),
        result: { refreshed: true },
      }),
    ]);
  });

  it('fails a job with an invalid payload at once, without retries, saying which field', async () => {
    await startRuntime(async () => 'should not run');
    // Straight onto the queue, as a producer that skipped the catalog would.
    const raw = new Queue('refresh', { connection: producerConnection, prefix: env.queuePrefix });
    const job = await raw.add(
      'refresh-connection',
      { tenantId, connectionId: 'not-a-uuid', reason: 'due' },
      { attempts: 5 },
    );
    await expect.poll(jobStates, { timeout: 10_000 }).toMatchObject({ failed: 1 });
    const failed = await raw.getJob(job.id ?? '');
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toBe('invalid payload for "refresh-connection": check connectionId');
    await raw.close();
  });

  it('lets a running job finish before it stops', async () => {
    let finished = false;
    await startRuntime(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      finished = true;
    });
    await producer.enqueue('refresh', 'refresh-connection', { tenantId, connectionId, reason: 'on-demand' });
    await expect.poll(jobStates, { timeout: 10_000 }).toMatchObject({ active: 1 });
    const graceful = await runtime?.stop(10_000);
    runtime = undefined;
    expect(graceful).toBe(true);
    expect(finished).toBe(true);
    expect(await jobStates()).toMatchObject({ completed: 1, active: 0 });
  });

  it('stops at the deadline when a job will not finish, leaving it to be retried', async () => {
    let signal: AbortSignal | undefined;
    await startRuntime(async (context) => {
      signal = context.signal;
      await new Promise(() => undefined);
    });
    await producer.enqueue('refresh', 'refresh-connection', { tenantId, connectionId, reason: 'due' });
    await expect.poll(jobStates, { timeout: 10_000 }).toMatchObject({ active: 1 });
    const graceful = await runtime?.stop(300);
    runtime = undefined;
    expect(graceful).toBe(false);
    expect(signal?.aborted).toBe(true);
    expect((await jobStates()).completed).toBe(0);
  });
});

describe('tenant fairness', () => {
  it("one tenant's 10,000 queued jobs neither delay another tenant's job nor take more than its share", async () => {
    const big = '33333333-3333-4333-8333-333333333333';
    const small = '44444444-4444-4444-8444-444444444444';
    const started: string[] = [];
    let bigRunning = 0;
    let bigMostAtOnce = 0;
    let smallStartedAt = 0;
    await producer.enqueueBulk(
      'refresh',
      'refresh-connection',
      Array.from({ length: 10_000 }, () => ({ tenantId: big, connectionId: randomUUID(), reason: 'due' as const })),
    );
    await startRuntime(
      async ({ data }) => {
        started.push(data.tenantId);
        if (data.tenantId === small) {
          smallStartedAt = Date.now();
          return;
        }
        bigRunning += 1;
        bigMostAtOnce = Math.max(bigMostAtOnce, bigRunning);
        await new Promise((resolve) => setTimeout(resolve, 20));
        bigRunning -= 1;
      },
      { concurrency: 8, tenantConcurrency: 4 },
    );
    await expect.poll(() => started.length, { timeout: 10_000 }).toBeGreaterThan(40);
    const enqueuedAt = Date.now();
    await producer.enqueue('refresh', 'refresh-connection', { tenantId: small, connectionId, reason: 'due' });
    const startedBeforeEnqueue = started.length;
    await expect.poll(() => smallStartedAt, { timeout: 10_000 }).toBeGreaterThan(0);
    // Only jobs the workers had already fetched may start in between; in plain FIFO order it would be ~9,950.
    const startedInBetween = started.indexOf(small) - startedBeforeEnqueue;
    expect(startedInBetween).toBeLessThanOrEqual(8);
    expect(smallStartedAt - enqueuedAt).toBeLessThan(5_000);
    expect(bigMostAtOnce).toBeLessThanOrEqual(4);
    const waiting = await producer.queue('refresh').getJobCounts('prioritized', 'waiting', 'delayed');
    expect((waiting.prioritized ?? 0) + (waiting.waiting ?? 0) + (waiting.delayed ?? 0)).toBeGreaterThan(5_000);
  });
});

describe('worker apps', () => {
  const apps = ['worker-refresh', 'worker-spend', 'worker-capi', 'worker-klaviyo'];

  it.each(apps)('%s starts, answers /healthz, and exits 0 on SIGTERM within its shutdown timeout', async (app) => {
    const child = spawn(process.execPath, [`apps/${app}/src/main.ts`], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { ...process.env, ...env.env, LOG_FORMAT: 'json', WORKER_HEALTH_PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    let healthUrl: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const record = JSON.parse(line) as { msg?: string; healthUrl?: string };
      if (record.msg === `${app} started`) {
        healthUrl = record.healthUrl;
        break;
      }
    }
    expect(healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${healthUrl}/healthz`)).status).toBe(200);
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
  });
});
