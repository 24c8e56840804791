// Finds out whether DATABASE_URL's server answers, and creates DATABASE_URL's database on it when missing.

import pg from 'pg';
import { isUnreachableError, messageOf } from './connection-errors.ts';
import { LauncherError } from './launcher-error.ts';
import { databaseNameOf, describeServer, withDatabase } from './urls.ts';

const DUPLICATE_DATABASE = '42P04';

async function withMaintenanceClient<T>(
  databaseUrl: string,
  timeoutMs: number,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabase(databaseUrl, 'postgres'),
    connectionTimeoutMillis: timeoutMs,
  });
  // A connection dropped by the server after connect is reported here; the query that was running fails too.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** 'unreachable' when nothing answers; throws a LauncherError when a server answers but refuses us. */
export async function probePostgresServer(
  databaseUrl: string,
  timeoutMs = 2_000,
): Promise<'reachable' | 'unreachable'> {
  try {
    await withMaintenanceClient(databaseUrl, timeoutMs, async () => undefined);
    return 'reachable';
  } catch (error) {
    if (isUnreachableError(error)) return 'unreachable';
    throw new LauncherError(
      `Postgres at ${describeServer(databaseUrl, 5432)} answered but refused the launcher (${messageOf(error)}). ` +
        'Check the user and password in DATABASE_URL.',
    );
  }
}

/** Creates DATABASE_URL's database unless it exists; true when it was created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  if (name === '') throw new LauncherError('DATABASE_URL names no database; end it with one, e.g. …:5432/adsync');
  try {
    return await withMaintenanceClient(databaseUrl, 5_000, async (client) => {
      const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (existing.rowCount !== 0) return false;
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        return true;
      } catch (error) {
        // Another launcher (or a test) created it between our check and our CREATE.
        if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
        throw error;
      }
    });
  } catch (error) {
    throw new LauncherError(
      `Could not create database "${name}" on ${describeServer(databaseUrl, 5432)} (${messageOf(error)}). ` +
        'Create it yourself, or give the DATABASE_URL user the CREATEDB privilege.',
    );
  }
}
