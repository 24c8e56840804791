// Klaviyo as adsync keeps it: each connection's lists and segments, each segment's members (profile ids
// only), the joins and leaves found between member syncs, and one row per sync.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type {
  KlaviyoGroup,
  KlaviyoGroupKind,
  KlaviyoSegmentChange,
  KlaviyoSync,
  KlaviyoSyncScope,
  SegmentChange,
} from '../schema.ts';

/** Rows per INSERT or DELETE statement when a segment's membership is applied. */
const BATCH = 1_000;

export async function startKlaviyoSync(
  db: Db,
  sync: { tenantId: string; connectionId: string; scope: KlaviyoSyncScope },
): Promise<string> {
  const row = await db
    .insertInto('klaviyo_syncs')
    .values({ tenant_id: sync.tenantId, connection_id: sync.connectionId, scope: sync.scope })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishKlaviyoSync(
  db: Db,
  id: string,
  outcome:
    | { status: 'succeeded'; counts: Record<string, number> }
    | { status: 'failed'; counts: Record<string, number>; errorCode: string; errorMessage: string },
): Promise<void> {
  await db
    .updateTable('klaviyo_syncs')
    .set({
      status: outcome.status,
      counts: outcome.counts,
      finished_at: new Date(),
      ...(outcome.status === 'failed' ? { error_code: outcome.errorCode, error_message: outcome.errorMessage } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** The latest syncs of a tenant's Klaviyo connections, newest first. */
export async function listKlaviyoSyncs(
  db: Db,
  filter: { tenantId: string; connectionId?: string; limit: number },
): Promise<KlaviyoSync[]> {
  let query = db.selectFrom('klaviyo_syncs').selectAll().where('tenant_id', '=', filter.tenantId);
  if (filter.connectionId !== undefined) query = query.where('connection_id', '=', filter.connectionId);
  return query.orderBy('started_at', 'desc').limit(filter.limit).execute();
}

export interface SeenGroup {
  externalId: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Records the lists (or segments) a sync found: new ones are added, known ones updated (and brought back
 * if they had been removed), and those no longer in Klaviyo marked removed. Returns the live rows.
 */
export async function recordKlaviyoGroups(
  db: Db,
  found: { tenantId: string; connectionId: string; kind: KlaviyoGroupKind; groups: readonly SeenGroup[]; at: Date },
): Promise<KlaviyoGroup[]> {
  return db.transaction().execute(async (trx) => {
    if (found.groups.length > 0) {
      await trx
        .insertInto('klaviyo_groups')
        .values(
          found.groups.map((group) => ({
            tenant_id: found.tenantId,
            connection_id: found.connectionId,
            kind: found.kind,
            external_id: group.externalId,
            name: group.name,
            klaviyo_created_at: group.createdAt,
            klaviyo_updated_at: group.updatedAt,
            member_count: null,
            members_synced_at: null,
            seen_at: found.at,
            removed_at: null,
          })),
        )
        .onConflict((conflict) =>
          conflict.columns(['connection_id', 'kind', 'external_id']).doUpdateSet((excluded) => ({
            name: excluded.ref('excluded.name'),
            klaviyo_created_at: excluded.ref('excluded.klaviyo_created_at'),
            klaviyo_updated_at: excluded.ref('excluded.klaviyo_updated_at'),
            seen_at: excluded.ref('excluded.seen_at'),
            removed_at: null,
            updated_at: sql<Date>`now()`,
          })),
        )
        .execute();
    }
    await trx
      .updateTable('klaviyo_groups')
      .set({ removed_at: found.at, updated_at: sql<Date>`now()` })
      .where('connection_id', '=', found.connectionId)
      .where('kind', '=', found.kind)
      .where('seen_at', '<', found.at)
      .where('removed_at', 'is', null)
      .execute();
    return trx
      .selectFrom('klaviyo_groups')
      .selectAll()
      .where('connection_id', '=', found.connectionId)
      .where('kind', '=', found.kind)
      .where('removed_at', 'is', null)
      .orderBy('name')
      .execute();
  });
}

/** A tenant's lists or segments (live ones unless `includeRemoved`), by name. */
export async function listKlaviyoGroups(
  db: Db,
  filter: { tenantId: string; kind: KlaviyoGroupKind; connectionId?: string; includeRemoved?: boolean },
): Promise<KlaviyoGroup[]> {
  let query = db
    .selectFrom('klaviyo_groups')
    .selectAll()
    .where('tenant_id', '=', filter.tenantId)
    .where('kind', '=', filter.kind);
  if (filter.connectionId !== undefined) query = query.where('connection_id', '=', filter.connectionId);
  if (filter.includeRemoved !== true) query = query.where('removed_at', 'is', null);
  return query.orderBy('name').orderBy('id').execute();
}

export async function findKlaviyoGroup(
  db: Db,
  key: { tenantId: string; id: string },
): Promise<KlaviyoGroup | undefined> {
  return db
    .selectFrom('klaviyo_groups')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.id)
    .executeTakeFirst();
}

/**
 * Makes a segment's stored members exactly `members` (the profile ids one complete read found) in one
 * transaction. The profiles that joined and left since the previous member sync are recorded as changes; the
 * first member sync is the baseline and records none. Returns what changed.
 */
export async function applySegmentMembers(
  db: Db,
  applied: { tenantId: string; groupId: string; syncId: string; members: ReadonlySet<string>; at: Date },
): Promise<{ joined: number; left: number; members: number; baseline: boolean }> {
  return db.transaction().execute(async (trx) => {
    // Locks the segment's row: two syncs of one segment apply one after the other, never interleaved.
    const group = await trx
      .selectFrom('klaviyo_groups')
      .select(['members_synced_at'])
      .where('id', '=', applied.groupId)
      .where('tenant_id', '=', applied.tenantId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const baseline = group.members_synced_at === null;
    const stored = await trx
      .selectFrom('klaviyo_segment_members')
      .select('profile_id')
      .where('group_id', '=', applied.groupId)
      .execute();
    const storedIds = new Set(stored.map((row) => row.profile_id));
    const joined = [...applied.members].filter((id) => !storedIds.has(id));
    const left = [...storedIds].filter((id) => !applied.members.has(id));

    for (let start = 0; start < joined.length; start += BATCH) {
      await trx
        .insertInto('klaviyo_segment_members')
        .values(
          joined
            .slice(start, start + BATCH)
            .map((profileId) => ({ group_id: applied.groupId, profile_id: profileId, seen_since: applied.at })),
        )
        .execute();
    }
    for (let start = 0; start < left.length; start += BATCH) {
      await trx
        .deleteFrom('klaviyo_segment_members')
        .where('group_id', '=', applied.groupId)
        .where('profile_id', 'in', left.slice(start, start + BATCH))
        .execute();
    }
    if (!baseline) {
      const changes = [
        ...joined.map((profileId) => ({ profileId, change: 'joined' as SegmentChange })),
        ...left.map((profileId) => ({ profileId, change: 'left' as SegmentChange })),
      ];
      for (let start = 0; start < changes.length; start += BATCH) {
        await trx
          .insertInto('klaviyo_segment_changes')
          .values(
            changes.slice(start, start + BATCH).map((entry) => ({
              tenant_id: applied.tenantId,
              group_id: applied.groupId,
              sync_id: applied.syncId,
              profile_id: entry.profileId,
              change: entry.change,
              recorded_at: applied.at,
            })),
          )
          .execute();
      }
    }
    await trx
      .updateTable('klaviyo_groups')
      .set({ member_count: applied.members.size, members_synced_at: applied.at, updated_at: sql<Date>`now()` })
      .where('id', '=', applied.groupId)
      .execute();
    return { joined: joined.length, left: left.length, members: applied.members.size, baseline };
  });
}

/** A segment's joins and leaves in the order they were recorded, after `afterId` (a keyset cursor). */
export async function listSegmentChanges(
  db: Db,
  filter: { tenantId: string; groupId: string; afterId?: bigint; limit: number },
): Promise<KlaviyoSegmentChange[]> {
  let query = db
    .selectFrom('klaviyo_segment_changes')
    .selectAll()
    .where('tenant_id', '=', filter.tenantId)
    .where('group_id', '=', filter.groupId);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  return query.orderBy('id').limit(filter.limit).execute();
}

/** A segment's stored members (profile ids), in id order after `afterProfileId` (a keyset cursor). */
export async function listSegmentMembers(
  db: Db,
  filter: { groupId: string; afterProfileId?: string; limit: number },
): Promise<string[]> {
  let query = db.selectFrom('klaviyo_segment_members').select('profile_id').where('group_id', '=', filter.groupId);
  if (filter.afterProfileId !== undefined) query = query.where('profile_id', '>', filter.afterProfileId);
  const rows = await query.orderBy('profile_id').limit(filter.limit).execute();
  return rows.map((row) => row.profile_id);
}
