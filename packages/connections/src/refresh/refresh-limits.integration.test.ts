// The shared limiter in front of refreshes: with TikTok's limit configured, a burst of refreshes from two
// "processes" never exceeds it at the platform (the simulator enforces the same limit and would answer
// 40100); without the limiter the same burst is throttled.

import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { createPlatformLimiter, createRateLimiter } from '@adsync/worker-runtime';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlatformClients } from '../platform-clients.ts';
import { connectForTest, refreshDepsForTest, simulatorPlatforms } from '../testing/connected-connection.ts';
import { type CallLimiter, type RefreshDeps, refreshConnection } from './refresh-connection.ts';

const QPS = 4;
const env = useTestEnvironment();
let sim: RunningSimulator;
let platforms: PlatformClients;
let producer: QueueProducer;
let otherProcess: Redis;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }, { tiktok: { requestsPerSecond: QPS } });
  platforms = simulatorPlatforms(sim.url);
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  otherProcess = new Redis(env.redisUrl);
});
afterAll(async () => {
  await producer?.close();
  otherProcess?.disconnect();
  await sim?.close();
});

function deps(redis: Redis, limiter?: CallLimiter): RefreshDeps {
  return refreshDepsForTest({
    db: env.db,
    redis,
    lockPrefix: env.queuePrefix,
    producer,
    platforms,
    ...(limiter === undefined ? {} : { limiter }),
  });
}

function limiterOn(redis: Redis): CallLimiter {
  return createPlatformLimiter(createRateLimiter(redis, env.queuePrefix), {
    tiktok: { endpoint: { limit: QPS, windowMs: 1_000 } },
  });
}

async function burst(count: number, pick: (index: number) => RefreshDeps) {
  const connections = [];
  // Connecting is paced under the simulator's limit too; only the burst below is under test.
  for (let index = 0; index < count; index += 1) {
    connections.push((await connectForTest(env.db, platforms, 'tiktok')).connection);
    await new Promise((resolve) => setTimeout(resolve, 2_000 / QPS));
  }
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  return Promise.all(
    connections.map((connection, index) =>
      refreshConnection(pick(index), { tenantId: connection.tenant_id, connectionId: connection.id }, { force: true }),
    ),
  );
}

it('with the limiter, a burst of refreshes from two processes stays inside TikTok’s limit', async () => {
  const processes = [deps(env.redis, limiterOn(env.redis)), deps(otherProcess, limiterOn(otherProcess))];
  const outcomes = await burst(10, (index) => processes[index % 2] as RefreshDeps);
  expect(outcomes.map((outcome) => outcome.kind)).toEqual(Array(10).fill('refreshed'));
});

it('without it, the same burst is throttled by the platform', async () => {
  const outcomes = await burst(10, () => deps(env.redis));
  expect(outcomes.filter((outcome) => outcome.kind === 'retry_later').length).toBeGreaterThan(0);
});
