// Klaviyo list jobs: a list to create, or profiles (sealed) to add to or take off a list. The worker settles
// each one; the API reads them without their profiles.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { KlaviyoGroup, KlaviyoListJob, KlaviyoListJobKind, KlaviyoListJobUpdate } from '../schema.ts';

export async function insertListJob(
  db: Db,
  job: {
    /** Known before the insert, so the profiles can be sealed to this row. */
    id: string;
    tenantId: string;
    connectionId: string;
    kind: KlaviyoListJobKind;
    listName?: string;
    groupId?: string;
    customSource?: string;
    profilesCiphertext?: string;
    profileCount?: number;
  },
): Promise<KlaviyoListJob> {
  return db
    .insertInto('klaviyo_list_jobs')
    .values({
      id: job.id,
      tenant_id: job.tenantId,
      connection_id: job.connectionId,
      kind: job.kind,
      list_name: job.listName ?? null,
      group_id: job.groupId ?? null,
      custom_source: job.customSource ?? null,
      profiles_ciphertext: job.profilesCiphertext ?? null,
      profile_count: job.profileCount ?? 0,
      confirmed_count: null,
      missing_count: null,
      error_code: null,
      error_message: null,
      submitted_at: null,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findListJob(db: Db, key: { tenantId: string; id: string }): Promise<KlaviyoListJob | undefined> {
  return db
    .selectFrom('klaviyo_list_jobs')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.id)
    .executeTakeFirst();
}

export async function updateListJob(db: Db, id: string, update: KlaviyoListJobUpdate): Promise<void> {
  await db
    .updateTable('klaviyo_list_jobs')
    .set({ ...update, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** A tenant's list jobs, newest first. */
export async function listListJobs(db: Db, filter: { tenantId: string; limit: number }): Promise<KlaviyoListJob[]> {
  return db
    .selectFrom('klaviyo_list_jobs')
    .selectAll()
    .where('tenant_id', '=', filter.tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .execute();
}

/** Records a list adsync just created in Klaviyo (no other list is touched). */
export async function addKlaviyoList(
  db: Db,
  list: { tenantId: string; connectionId: string; externalId: string; name: string; createdAt: Date; updatedAt: Date },
): Promise<KlaviyoGroup> {
  return db
    .insertInto('klaviyo_groups')
    .values({
      tenant_id: list.tenantId,
      connection_id: list.connectionId,
      kind: 'list',
      external_id: list.externalId,
      name: list.name,
      klaviyo_created_at: list.createdAt,
      klaviyo_updated_at: list.updatedAt,
      member_count: null,
      members_synced_at: null,
      seen_at: list.createdAt,
      removed_at: null,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['connection_id', 'kind', 'external_id'])
        .doUpdateSet({ name: list.name, removed_at: null, updated_at: sql<Date>`now()` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Of these Klaviyo list ids, the ones a create_list job of the connection already recorded as its list. */
export async function listsCreatedByListJobs(
  db: Db,
  filter: { connectionId: string; externalIds: readonly string[] },
): Promise<Set<string>> {
  if (filter.externalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('klaviyo_list_jobs')
    .innerJoin('klaviyo_groups', 'klaviyo_groups.id', 'klaviyo_list_jobs.group_id')
    .select('klaviyo_groups.external_id')
    .where('klaviyo_list_jobs.connection_id', '=', filter.connectionId)
    .where('klaviyo_list_jobs.kind', '=', 'create_list')
    .where('klaviyo_groups.external_id', 'in', [...filter.externalIds])
    .execute();
  return new Set(rows.map((row) => row.external_id));
}
