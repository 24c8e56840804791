// Klaviyo: the lists and segments of each Klaviyo connection, each segment's members (Klaviyo profile ids
// only: no email or other personal data), the joins and leaves found between two member syncs, and one row
// per sync. Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE klaviyo_syncs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      scope text NOT NULL CHECK (scope IN ('lists', 'segments', 'catalog')),
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
      -- What the sync did, e.g. {"segments": 2, "members": 10000, "joined": 3, "left": 1}.
      counts jsonb NOT NULL DEFAULT '{}',
      error_code text,
      error_message text,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`.execute(db);
  await sql`
    CREATE INDEX klaviyo_syncs_connection_idx ON klaviyo_syncs (connection_id, scope, started_at DESC)`.execute(db);

  await sql`
    CREATE TABLE klaviyo_groups (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('list', 'segment')),
      external_id text NOT NULL,
      name text NOT NULL,
      klaviyo_created_at timestamptz NOT NULL,
      klaviyo_updated_at timestamptz NOT NULL,
      -- Segments: members at the last complete member sync, and when it finished.
      member_count integer,
      members_synced_at timestamptz,
      -- The last sync that found it in Klaviyo; removed_at is set when one no longer does.
      seen_at timestamptz NOT NULL,
      removed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, kind, external_id)
    )`.execute(db);
  await sql`CREATE INDEX klaviyo_groups_tenant_idx ON klaviyo_groups (tenant_id, kind, name)`.execute(db);

  await sql`
    CREATE TABLE klaviyo_segment_members (
      group_id uuid NOT NULL REFERENCES klaviyo_groups (id) ON DELETE CASCADE,
      profile_id text NOT NULL,
      -- When a sync first found the profile in the segment.
      seen_since timestamptz NOT NULL,
      PRIMARY KEY (group_id, profile_id)
    )`.execute(db);

  await sql`
    CREATE TABLE klaviyo_segment_changes (
      id bigserial PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      group_id uuid NOT NULL REFERENCES klaviyo_groups (id) ON DELETE CASCADE,
      sync_id uuid NOT NULL REFERENCES klaviyo_syncs (id) ON DELETE CASCADE,
      profile_id text NOT NULL,
      change text NOT NULL CHECK (change IN ('joined', 'left')),
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE INDEX klaviyo_segment_changes_group_idx ON klaviyo_segment_changes (tenant_id, group_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS klaviyo_segment_changes`.execute(db);
  await sql`DROP TABLE IF EXISTS klaviyo_segment_members`.execute(db);
  await sql`DROP TABLE IF EXISTS klaviyo_groups`.execute(db);
  await sql`DROP TABLE IF EXISTS klaviyo_syncs`.execute(db);
}
