// Per-test-file Postgres database (cloned from the migrated template) and Redis key prefix, so test
// files run in parallel, and runs on a shared machine never see each other's data.

import { createDatabase, type Db } from '@adsync/db';
import { deleteKeysWithPrefix } from '@adsync/queues';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabaseFromTemplate, dropDatabase, withAdminClient } from './admin-sql.ts';
import { newDatabaseName, newQueuePrefix, withDatabase } from './database-names.ts';

export interface TestEnvironment {
  db: Db;
  databaseUrl: string;
  redisUrl: string;
  /** A Redis Cluster-safe BullMQ prefix that no other test file uses. */
  queuePrefix: string;
  /** A plain client for assertions on Redis state. */
  redis: Redis;
  /** Environment variables that point an app process at this test's database and Redis prefix. */
  env: Record<string, string>;
}

export async function createTestEnvironment(): Promise<TestEnvironment & { close(): Promise<void> }> {
  const { serverUrl, templateDatabase, redisUrl } = inject('adsyncTestServices');
  const database = newDatabaseName('db');
  await withAdminClient(serverUrl, (client) => createDatabaseFromTemplate(client, database, templateDatabase));
  const databaseUrl = withDatabase(serverUrl, database);
  const db = createDatabase({ url: databaseUrl, poolMax: 5, applicationName: 'adsync-test' });
  const queuePrefix = newQueuePrefix();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  return {
    db,
    databaseUrl,
    redisUrl,
    queuePrefix,
    redis,
    env: { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: queuePrefix, NODE_ENV: 'test' },
    close: async () => {
      await db.destroy();
      await deleteKeysWithPrefix(redis, queuePrefix);
      redis.disconnect();
      await withAdminClient(serverUrl, (client) => dropDatabase(client, database));
    },
  };
}

/**
 * Registers beforeAll/afterAll for the calling test file and returns its environment, filled in once
 * beforeAll has run.
 */
export function useTestEnvironment(): TestEnvironment {
  const environment = {} as TestEnvironment & { close?: () => Promise<void> };
  beforeAll(async () => {
    Object.assign(environment, await createTestEnvironment());
  });
  afterAll(async () => {
    await environment.close?.();
  });
  return environment;
}
