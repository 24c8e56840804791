// Statements run against the server's maintenance connection to create and drop test databases.

import pg from 'pg';
import { isStaleTestDatabase } from './database-names.ts';

const OBJECT_IN_USE = '55006';

export async function withAdminClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Clones the template; retries briefly while another session is still leaving the template. */
export async function createDatabaseFromTemplate(client: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== OBJECT_IN_USE || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Drops test databases that crashed runs left behind (older than a day, so no live run is touched). */
export async function dropStaleTestDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'adsync\\_t\\_%'",
  );
  const stale = rows.map((row) => row.datname).filter((name) => isStaleTestDatabase(name, Date.now(), 86_400_000));
  for (const name of stale) await dropDatabase(client, name);
  return stale;
}
