// Tenants' webhook secret: connection events (needs re-authorization, degraded, expiring) are POSTed to the
// tenant's webhook_url, signed with this secret. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tenants ADD COLUMN webhook_secret_ciphertext text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tenants DROP COLUMN IF EXISTS webhook_secret_ciphertext`.execute(db);
}
