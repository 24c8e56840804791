// Ad accounts a connection reaches. Discovery upserts them (keeping each account's selection); the admin
// selects which ones adsync syncs. Every call is scoped to the tenant.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { AdAccount, Provider } from '../schema.ts';

export interface DiscoveredAdAccount {
  externalId: string;
  name: string;
  currency: string;
  timezone: string;
  managerExternalId: string | null;
}

/**
 * Inserts new accounts and refreshes known ones; `select` picks the selection of new rows. A time zone
 * Postgres cannot use fails the whole write (the CHECK of migration 0011), so no account of it is stored.
 */
export async function upsertAdAccounts(
  db: Db,
  owner: { tenantId: string; connectionId: string; provider: Provider },
  accounts: readonly DiscoveredAdAccount[],
  select: (account: DiscoveredAdAccount) => boolean,
): Promise<void> {
  if (accounts.length === 0) return;
  await db
    .insertInto('ad_accounts')
    .values(
      accounts.map((account) => ({
        tenant_id: owner.tenantId,
        connection_id: owner.connectionId,
        provider: owner.provider,
        external_id: account.externalId,
        name: account.name,
        currency: account.currency,
        timezone: account.timezone,
        manager_external_id: account.managerExternalId,
        status: 'active',
        selected: select(account),
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['connection_id', 'external_id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        currency: eb.ref('excluded.currency'),
        timezone: eb.ref('excluded.timezone'),
        manager_external_id: eb.ref('excluded.manager_external_id'),
        status: 'active',
        updated_at: new Date(),
      })),
    )
    .execute();
}

export async function listAdAccounts(db: Db, key: { tenantId: string; connectionId?: string }): Promise<AdAccount[]> {
  let query = db.selectFrom('ad_accounts').selectAll().where('tenant_id', '=', key.tenantId);
  if (key.connectionId !== undefined) query = query.where('connection_id', '=', key.connectionId);
  return query.orderBy('name').orderBy('external_id').execute();
}

/**
 * Selects exactly `externalIds` among the connection's active accounts; returns the selected rows. An account
 * whose stored details are a stand-in (migration 0011 put UTC for a zone Postgres could not use) is not
 * active, and stays unselected until discovery reports it again.
 */
export async function setSelectedAdAccounts(
  db: Db,
  key: { tenantId: string; connectionId: string },
  externalIds: readonly string[],
): Promise<AdAccount[]> {
  await db
    .updateTable('ad_accounts')
    .set({
      selected: sql<boolean>`external_id = ANY(${[...externalIds]}::text[]) AND status = 'active'`,
      updated_at: new Date(),
    })
    .where('tenant_id', '=', key.tenantId)
    .where('connection_id', '=', key.connectionId)
    .execute();
  const accounts = await listAdAccounts(db, key);
  return accounts.filter((account) => account.selected);
}
