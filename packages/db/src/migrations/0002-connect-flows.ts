// What the connect flows need: one connection per (tenant, platform) so reconnecting keeps its id and
// history, admin browser sessions with their login links, and the onboarding wizard's skipped steps.
// Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX connections_tenant_idx`.execute(db);
  await sql`CREATE UNIQUE INDEX connections_tenant_provider_key ON connections (tenant_id, provider)`.execute(db);

  // A single-use link a tenant's backend mints (with its API key) to sign a brand admin into the admin page.
  await sql`
    CREATE TABLE admin_login_links (
      token_hash text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE admin_sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      token_hash text NOT NULL UNIQUE,
      csrf_token_hash text NOT NULL,
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX admin_sessions_tenant_idx ON admin_sessions (tenant_id)`.execute(db);

  // Steps 4–7 of the wizard. "connected" is read from connections; only a skip is a choice to remember.
  await sql`
    CREATE TABLE onboarding_progress (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      step text NOT NULL CHECK (step IN ('meta', 'google', 'tiktok', 'klaviyo')),
      skipped_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, step)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['onboarding_progress', 'admin_sessions', 'admin_login_links']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
  await sql`DROP INDEX IF EXISTS connections_tenant_provider_key`.execute(db);
  await sql`CREATE INDEX connections_tenant_idx ON connections (tenant_id, provider)`.execute(db);
}
