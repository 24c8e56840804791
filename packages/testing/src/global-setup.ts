// Vitest global setup for integration tests: finds or starts Postgres and Redis once per run and
// migrates a template database that every test file clones (cloning is much faster than migrating).

import { processEnvironment } from '@adsync/config';
import { createDatabase, migrateToLatest } from '@adsync/db';
import { deleteKeysWithPrefix } from '@adsync/queues';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { dropDatabase, dropStaleTestDatabases, withAdminClient } from './admin-sql.ts';
import { newDatabaseName, staleQueuePrefixOf, withDatabase } from './database-names.ts';
import { type StartedServices, startServices } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adsyncTestServices: { serverUrl: string; templateDatabase: string; redisUrl: string };
  }
}

let services: StartedServices | undefined;
let templateDatabase: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  services = await startServices(processEnvironment());
  const serverUrl = services.databaseUrl;
  templateDatabase = newDatabaseName('tpl');
  await withAdminClient(serverUrl, async (client) => {
    await dropStaleTestDatabases(client);
    await client.query(`CREATE DATABASE "${templateDatabase}"`);
  });
  await deleteStaleQueuePrefixes(services.redisUrl);
  const db = createDatabase({ url: withDatabase(serverUrl, templateDatabase), poolMax: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  project.provide('adsyncTestServices', { serverUrl, templateDatabase, redisUrl: services.redisUrl });
}

export async function teardown(): Promise<void> {
  if (services !== undefined && templateDatabase !== undefined) {
    const name = templateDatabase;
    await withAdminClient(services.databaseUrl, (client) => dropDatabase(client, name));
  }
  await services?.stop();
}

/** Removes the keys of test runs that crashed more than a day ago (live runs are never that old). */
async function deleteStaleQueuePrefixes(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const stale = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', '{adsync-test-*', 'COUNT', 1000);
      for (const key of keys) {
        const prefix = staleQueuePrefixOf(key, Date.now(), 86_400_000);
        if (prefix !== undefined) stale.add(prefix);
      }
      cursor = next;
    } while (cursor !== '0');
    for (const prefix of stale) await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
