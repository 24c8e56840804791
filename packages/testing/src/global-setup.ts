// Vitest global setup for integration tests: finds or starts Postgres and Redis once per run and
// migrates a template database that every test file clones (cloning is much faster than migrating).

import { createDatabase, migrateToLatest } from '@adsync/db';
import type { TestProject } from 'vitest/node';
import { dropDatabase, dropStaleTestDatabases, withAdminClient } from './admin-sql.ts';
import { newDatabaseName, withDatabase } from './database-names.ts';
import { type StartedServices, startServices } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adsyncTestServices: { serverUrl: string; templateDatabase: string; redisUrl: string };
  }
}

let services: StartedServices | undefined;
let templateDatabase: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  services = await startServices(process.env);
  const serverUrl = services.databaseUrl;
  templateDatabase = newDatabaseName('tpl');
  await withAdminClient(serverUrl, async (client) => {
    await dropStaleTestDatabases(client);
    await client.query(`CREATE DATABASE "${templateDatabase}"`);
  });
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
