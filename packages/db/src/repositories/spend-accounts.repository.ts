// The ad accounts spend syncs work on: the selected accounts of live connections (what the ticks fan out
// over, in id pages), one account with its connection for a job, and the marks a finished sync leaves.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { AdAccount, Connection, SpendProvider } from '../schema.ts';

/** Connections whose accounts are synced: a connection needing re-authorization stops its syncs. */
const SYNCING_STATUSES = ['active', 'degraded'] as const;

export interface SyncableAccount {
  id: string;
  tenant_id: string;
  provider: SpendProvider;
  timezone: string;
}

/** One page of selected accounts of live ad-platform connections, in id order after `after`. */
export async function findSyncableAccounts(
  db: Db,
  page: { after?: string; limit: number },
): Promise<SyncableAccount[]> {
  let query = db
    .selectFrom('ad_accounts')
    .innerJoin('connections', 'connections.id', 'ad_accounts.connection_id')
    .select(['ad_accounts.id', 'ad_accounts.tenant_id', 'ad_accounts.provider', 'ad_accounts.timezone'])
    .where('ad_accounts.selected', '=', true)
    .where('ad_accounts.provider', 'in', ['meta', 'google', 'tiktok'])
    .where('connections.status', 'in', SYNCING_STATUSES);
  if (page.after !== undefined) query = query.where('ad_accounts.id', '>', page.after);
  const rows = await query.orderBy('ad_accounts.id').limit(page.limit).execute();
  return rows as SyncableAccount[];
}

/**
 * Selected accounts whose local clock has passed `localHour` today and that have not been restated for
 * today yet: a tick missed at the account's night is caught by the next one.
 */
export async function findAccountsDueForRestatement(
  db: Db,
  page: { localHour: number; now: Date; after?: string; limit: number },
): Promise<Array<SyncableAccount & { local_date: string }>> {
  const localNow = sql`(${page.now}::timestamptz AT TIME ZONE ad_accounts.timezone)`;
  let query = db
    .selectFrom('ad_accounts')
    .innerJoin('connections', 'connections.id', 'ad_accounts.connection_id')
    .select([
      'ad_accounts.id',
      'ad_accounts.tenant_id',
      'ad_accounts.provider',
      'ad_accounts.timezone',
      sql<string>`(${localNow})::date::text`.as('local_date'),
    ])
    .where('ad_accounts.selected', '=', true)
    .where('ad_accounts.provider', 'in', ['meta', 'google', 'tiktok'])
    .where('connections.status', 'in', SYNCING_STATUSES)
    .where(sql<boolean>`extract(hour FROM ${localNow}) >= ${page.localHour}`)
    .where((eb) =>
      eb.or([
        eb('ad_accounts.last_restated_on', 'is', null),
        eb('ad_accounts.last_restated_on', '<', sql<string>`(${localNow})::date`),
      ]),
    );
  if (page.after !== undefined) query = query.where('ad_accounts.id', '>', page.after);
  const rows = await query.orderBy('ad_accounts.id').limit(page.limit).execute();
  return rows as Array<SyncableAccount & { local_date: string }>;
}

/** An account and its connection, only when both belong to the tenant. */
export async function findSpendAccount(
  db: Db,
  key: { tenantId: string; adAccountId: string },
): Promise<{ account: AdAccount; connection: Connection } | undefined> {
  const account = await db
    .selectFrom('ad_accounts')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.adAccountId)
    .executeTakeFirst();
  if (account === undefined) return undefined;
  const connection = await db
    .selectFrom('connections')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', account.connection_id)
    .executeTakeFirst();
  return connection === undefined ? undefined : { account, connection };
}

export async function markAccountSynced(
  db: Db,
  key: { tenantId: string; adAccountId: string },
  marks: { syncedAt?: Date; restatedOn?: string },
): Promise<void> {
  await db
    .updateTable('ad_accounts')
    .set({
      ...(marks.syncedAt === undefined ? {} : { last_synced_at: marks.syncedAt }),
      ...(marks.restatedOn === undefined ? {} : { last_restated_on: marks.restatedOn }),
    })
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.adAccountId)
    .execute();
  if (marks.syncedAt === undefined) return;
  // The connection's last sync is its accounts' latest, as the admin page shows it.
  await db
    .updateTable('connections')
    .set({ last_synced_at: marks.syncedAt })
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', (eb) =>
      eb
        .selectFrom('ad_accounts')
        .select('connection_id')
        .where('tenant_id', '=', key.tenantId)
        .where('id', '=', key.adAccountId),
    )
    .execute();
}

export type SpendLookbacks = Partial<Record<SpendProvider, number>>;

/** Each tenant's own lookback windows, by platform (platforms a tenant never set are absent). */
export async function spendLookbacks(db: Db, tenantIds: readonly string[]): Promise<Map<string, SpendLookbacks>> {
  const byTenant = new Map<string, SpendLookbacks>(tenantIds.map((tenantId) => [tenantId, {}]));
  if (tenantIds.length === 0) return byTenant;
  const rows = await db
    .selectFrom('tenant_spend_settings')
    .select(['tenant_id', 'provider', 'lookback_days'])
    .where('tenant_id', 'in', [...tenantIds])
    .execute();
  for (const row of rows) {
    const own = byTenant.get(row.tenant_id);
    if (own !== undefined) own[row.provider] = row.lookback_days;
  }
  return byTenant;
}

export async function setSpendLookbacks(
  db: Db,
  tenantId: string,
  lookbacks: { [P in SpendProvider]?: number | undefined },
): Promise<void> {
  const entries = (Object.entries(lookbacks) as Array<[SpendProvider, number | undefined]>).filter(
    (entry): entry is [SpendProvider, number] => entry[1] !== undefined,
  );
  if (entries.length === 0) return;
  await db
    .insertInto('tenant_spend_settings')
    .values(entries.map(([provider, days]) => ({ tenant_id: tenantId, provider, lookback_days: days })))
    .onConflict((conflict) =>
      conflict.columns(['tenant_id', 'provider']).doUpdateSet((eb) => ({
        lookback_days: eb.ref('excluded.lookback_days'),
        updated_at: new Date(),
      })),
    )
    .execute();
}
