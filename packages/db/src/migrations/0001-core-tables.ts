// Core tables of DESIGN §3 that the foundation needs. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

const providerCheck = sql.raw(`provider IN ('meta', 'google', 'tiktok', 'klaviyo')`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      webhook_url text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE tenant_api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      name text NOT NULL,
      key_prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX tenant_api_keys_tenant_idx ON tenant_api_keys (tenant_id)`.execute(db);

  await sql`
    CREATE TABLE operators (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      role text NOT NULL CHECK (role IN ('admin', 'viewer')),
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE connections (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (${providerCheck}),
      auth_method text NOT NULL CHECK (auth_method IN ('oauth', 'api_key')),
      status text NOT NULL CHECK (status IN ('pending', 'active', 'needs_reauth', 'degraded', 'disconnected')),
      external_user_id text,
      scopes text[] NOT NULL DEFAULT '{}',
      access_token_ciphertext text,
      refresh_token_ciphertext text,
      api_key_ciphertext text,
      public_key text,
      credentials_version integer NOT NULL DEFAULT 0,
      access_token_expires_at timestamptz,
      refresh_token_expires_at timestamptz,
      next_refresh_at timestamptz,
      last_refreshed_at timestamptz,
      last_synced_at timestamptz,
      last_error_code text,
      last_error_message text,
      last_error_at timestamptz,
      consecutive_failures integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      disconnected_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX connections_tenant_idx ON connections (tenant_id, provider)`.execute(db);
  // The refresh sweep's query: due connections that are still worth refreshing.
  await sql`
    CREATE INDEX connections_due_refresh_idx ON connections (next_refresh_at)
    WHERE status IN ('active', 'degraded') AND next_refresh_at IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE oauth_states (
      nonce text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (${providerCheck}),
      connection_id uuid REFERENCES connections (id) ON DELETE CASCADE,
      return_url text,
      pkce_verifier_ciphertext text,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at)`.execute(db);

  await sql`
    CREATE TABLE connection_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      type text NOT NULL,
      message text,
      detail jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE INDEX connection_events_connection_idx ON connection_events (connection_id, created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE ad_accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (${providerCheck}),
      external_id text NOT NULL,
      name text NOT NULL,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      timezone text NOT NULL,
      manager_external_id text,
      status text NOT NULL DEFAULT 'active',
      selected boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, external_id)
    )`.execute(db);
  await sql`CREATE INDEX ad_accounts_tenant_idx ON ad_accounts (tenant_id)`.execute(db);

  // One row per (account, date, hour, region); hour NULL = whole day, region NULL = all regions.
  // NULLS NOT DISTINCT makes those NULLs part of the key, so every write is an idempotent upsert.
  await sql`
    CREATE TABLE ad_spend (
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (${providerCheck}),
      ad_account_id uuid NOT NULL REFERENCES ad_accounts (id) ON DELETE CASCADE,
      date date NOT NULL,
      hour smallint CHECK (hour BETWEEN 0 AND 23),
      region text,
      spend_micros bigint NOT NULL CHECK (spend_micros >= 0),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
      clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
      synced_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT ad_spend_key UNIQUE NULLS NOT DISTINCT (tenant_id, provider, ad_account_id, date, hour, region)
    )`.execute(db);
  await sql`CREATE INDEX ad_spend_tenant_date_idx ON ad_spend (tenant_id, date)`.execute(db);

  await sql`
    CREATE TABLE sync_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid REFERENCES connections (id) ON DELETE CASCADE,
      ad_account_id uuid REFERENCES ad_accounts (id) ON DELETE CASCADE,
      kind text NOT NULL,
      job_id text,
      range_start date,
      range_end date,
      status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      rows_written integer NOT NULL DEFAULT 0,
      error_code text,
      error_message text,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      duration_ms integer
    )`.execute(db);
  await sql`CREATE INDEX sync_runs_tenant_idx ON sync_runs (tenant_id, started_at DESC)`.execute(db);
  await sql`CREATE INDEX sync_runs_account_idx ON sync_runs (ad_account_id, started_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sync_runs',
    'ad_spend',
    'ad_accounts',
    'connection_events',
    'oauth_states',
    'connections',
    'operators',
    'tenant_api_keys',
    'tenants',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
