// The refresh sweep pages through due connections by (next_refresh_at, id); with 100,000 connections due
// at the same instant, only an index on both columns keeps each page an index range scan instead of a sort
// of everything due. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS connections_due_refresh_idx`.execute(db);
  await sql`
    CREATE INDEX connections_due_refresh_key ON connections (next_refresh_at, id)
    WHERE status IN ('active', 'degraded') AND next_refresh_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS connections_due_refresh_key`.execute(db);
  await sql`
    CREATE INDEX connections_due_refresh_idx ON connections (next_refresh_at)
    WHERE status IN ('active', 'degraded') AND next_refresh_at IS NOT NULL`.execute(db);
}
