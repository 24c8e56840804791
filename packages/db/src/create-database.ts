// Builds the Kysely instance every process uses: one pg pool, fail-fast connects, and column types
// that are safe for money (int8 → bigint) and for account-timezone dates (date → 'YYYY-MM-DD').

import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const INT8_OID = 20;
const DATE_OID = 1082;

function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID) return (value) => BigInt(value);
  // A DATE has no time zone; turning it into a JS Date would shift it by the process's offset.
  if (oid === DATE_OID) return (value) => value;
  return pg.types.getTypeParser(oid, format as 'text');
}

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  /** Shows up in pg_stat_activity, so operators can tell the gateway's connections from a worker's. */
  applicationName?: string;
  /**
   * Called when a pooled connection fails (e.g. Postgres restarted). An idle one is replaced by the pool; one
   * that is checked out (a transaction between statements) fails its next query, and so its caller.
   */
  onConnectionError?: (error: Error) => void;
}

export type Db = Kysely<Database>;

export function createDatabase(options: DatabaseOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'adsync',
    types: { getTypeParser: typeParser } as pg.CustomTypesConfig,
  });
  // pg emits a checked-out connection's failure on its client, where no one listens: that would crash the
  // process. Every client gets a listener, so the failure is reported once, and the pool's own 'error' (the
  // same failure of an idle client, passed on) needs none.
  pool.on('connect', (client) => client.on('error', (error) => options.onConnectionError?.(error)));
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
