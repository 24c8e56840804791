// Klaviyo list jobs: a list to create, or profiles to add to or take off a list through Klaviyo's bulk
// subscription jobs. The profiles (emails, phone numbers) are sealed and wiped once the job is settled; Klaviyo
// cannot read a job back, so the outcome is what adsync saw in the list. Frozen: change the schema in a new
// migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE klaviyo_list_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('create_list', 'subscribe', 'unsubscribe')),
      -- create_list: the name asked for; every kind: the list (adsync's row), once known.
      list_name text,
      group_id uuid REFERENCES klaviyo_groups (id) ON DELETE SET NULL,
      custom_source text,
      profiles_ciphertext text,
      profile_count integer NOT NULL DEFAULT 0,
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'submitted', 'completed', 'incomplete', 'failed')),
      -- Profiles seen in (subscribe) or out of (unsubscribe) the list when the job was settled.
      confirmed_count integer,
      missing_count integer,
      error_code text,
      error_message text,
      submitted_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (kind = 'create_list' OR group_id IS NOT NULL OR status = 'failed')
    )`.execute(db);
  await sql`CREATE INDEX klaviyo_list_jobs_tenant_idx ON klaviyo_list_jobs (tenant_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS klaviyo_list_jobs`.execute(db);
}
