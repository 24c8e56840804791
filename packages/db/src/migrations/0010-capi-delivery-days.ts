// Conversion events delivered, per destination and UTC day, for the brand's admin page (dead letters are
// counted from capi_dead_letters). Each event is counted once, when its delivery marks it done in the
// buffer, so a retried batch never counts twice. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE capi_delivery_days (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      destination_id uuid NOT NULL REFERENCES capi_destinations (id) ON DELETE CASCADE,
      day date NOT NULL,
      delivered bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (destination_id, day)
    )`.execute(db);
  await sql`CREATE INDEX capi_delivery_days_tenant_idx ON capi_delivery_days (tenant_id, day)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS capi_delivery_days`.execute(db);
}
