// A connection's events are read a page at a time, newest first by (created_at, id): this index holds that
// order, so a page starts at its cursor with an index condition instead of reading every newer event
// again. It covers what connection_events_connection_idx (connection_id, created_at DESC) served, so that
// one goes. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX connection_events_keyset_idx ON connection_events (connection_id, created_at DESC, id DESC)`.execute(
    db,
  );
  await sql`DROP INDEX connection_events_connection_idx`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX connection_events_connection_idx ON connection_events (connection_id, created_at DESC)`.execute(db);
  await sql`DROP INDEX connection_events_keyset_idx`.execute(db);
}
