// Spend sync: when each ad account last synced and was restated, per-tenant lookback windows, restatements
// worth telling a brand about, and the index the ticks page selected accounts by. Frozen: change the schema
// in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ad_accounts
      ADD COLUMN last_synced_at timestamptz,
      ADD COLUMN last_restated_on date`.execute(db);
  // The hourly and nightly ticks walk selected accounts in id order.
  await sql`CREATE INDEX ad_accounts_selected_key ON ad_accounts (id) WHERE selected`.execute(db);

  await sql`
    CREATE TABLE tenant_spend_settings (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('meta', 'google', 'tiktok')),
      lookback_days smallint NOT NULL CHECK (lookback_days BETWEEN 1 AND 90),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, provider)
    )`.execute(db);

  // A past day whose total moved by more than the threshold when the platform restated it.
  await sql`
    CREATE TABLE spend_restatements (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL,
      ad_account_id uuid NOT NULL REFERENCES ad_accounts (id) ON DELETE CASCADE,
      sync_run_id uuid REFERENCES sync_runs (id) ON DELETE SET NULL,
      date date NOT NULL,
      previous_micros bigint NOT NULL,
      restated_micros bigint NOT NULL,
      currency char(3) NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE INDEX spend_restatements_tenant_idx ON spend_restatements (tenant_id, recorded_at DESC)`.execute(db);

  await sql`ALTER TABLE sync_runs ADD COLUMN provider text`.execute(db);
  await sql`
    ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_kind_check CHECK (kind IN ('hourly', 'nightly', 'backfill'))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sync_runs DROP CONSTRAINT IF EXISTS sync_runs_kind_check`.execute(db);
  await sql`ALTER TABLE sync_runs DROP COLUMN IF EXISTS provider`.execute(db);
  await sql`DROP TABLE IF EXISTS spend_restatements`.execute(db);
  await sql`DROP TABLE IF EXISTS tenant_spend_settings`.execute(db);
  await sql`DROP INDEX IF EXISTS ad_accounts_selected_key`.execute(db);
  await sql`ALTER TABLE ad_accounts DROP COLUMN IF EXISTS last_synced_at, DROP COLUMN IF EXISTS last_restated_on`.execute(
    db,
  );
}
