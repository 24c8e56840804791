// Conversion events: where a tenant's events go (a Meta dataset/pixel or a TikTok pixel, with the token to
// send them with) and the events that could not be delivered. Events in flight live in Redis; only dead
// letters are kept here. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE capi_destinations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('meta', 'tiktok')),
      name text NOT NULL,
      -- Meta dataset (pixel) id or TikTok pixel code.
      pixel_id text NOT NULL,
      -- The token comes from a stored connection of the same platform, or is a dedicated one (sealed).
      connection_id uuid REFERENCES connections (id) ON DELETE RESTRICT,
      access_token_ciphertext text,
      test_event_code text,
      enabled boolean NOT NULL DEFAULT true,
      last_delivered_at timestamptz,
      last_error_code text,
      last_error_message text,
      last_error_at timestamptz,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT capi_destinations_one_token_source
        CHECK ((connection_id IS NULL) <> (access_token_ciphertext IS NULL) OR deleted_at IS NOT NULL)
    )`.execute(db);
  // One live destination per pixel and tenant.
  await sql`
    CREATE UNIQUE INDEX capi_destinations_pixel_key
      ON capi_destinations (tenant_id, provider, pixel_id) WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE capi_dead_letters (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      destination_id uuid NOT NULL REFERENCES capi_destinations (id) ON DELETE CASCADE,
      event_id text NOT NULL,
      event_name text NOT NULL,
      event_time timestamptz NOT NULL,
      -- The queued event (hashed user data; click ids, IP and user agent clear), sealed.
      payload_ciphertext text NOT NULL,
      reason_code text NOT NULL,
      reason_message text NOT NULL,
      status text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'replayed')),
      -- How many times the event has been dead-lettered (a replay that fails again adds one).
      failures integer NOT NULL DEFAULT 1,
      accepted_at timestamptz NOT NULL,
      failed_at timestamptz NOT NULL DEFAULT now(),
      replayed_at timestamptz,
      UNIQUE (destination_id, event_id)
    )`.execute(db);
  await sql`
    CREATE INDEX capi_dead_letters_tenant_idx ON capi_dead_letters (tenant_id, status, failed_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS capi_dead_letters`.execute(db);
  await sql`DROP TABLE IF EXISTS capi_destinations`.execute(db);
}
