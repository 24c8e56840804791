// Test fixtures for spend syncs: a connection authorized at the simulator with its ad accounts discovered
// and selected, and the rows a sync stored, read back to compare with the simulator's spend truth.

import { type ConnectionKey, connectForTest, type PlatformClients } from '@adsync/connections';
import type { Keyring } from '@adsync/crypto';
import {
  type AdAccount,
  type Connection,
  type Db,
  listAdAccounts,
  type SpendProvider,
  upsertAdAccounts,
} from '@adsync/db';
import type { SpendGrain, SpendRow, TokenSet } from '@adsync/providers';
import { sortSpendRows } from '@adsync/providers/testing/spend-truth';

/** Connects `provider` for a new tenant (or `tenantId`) and selects every account the grant reaches. */
export async function connectSpendAccounts(
  db: Db,
  platforms: PlatformClients,
  provider: SpendProvider,
  options: { keyring?: Keyring; tenantId?: string; accounts?: readonly string[] } = {},
): Promise<{ connection: Connection; key: ConnectionKey; accounts: AdAccount[]; tokens: TokenSet }> {
  const { connection, tokens } = await connectForTest(db, platforms, provider, options);
  const discovered = await platforms.oauth(provider).listAccounts(tokens);
  if (!discovered.ok) throw new Error(discovered.error.message);
  const owner = { tenantId: connection.tenant_id, connectionId: connection.id, provider };
  await upsertAdAccounts(db, owner, discovered.value, () => true);
  const accounts = await listAdAccounts(db, { tenantId: connection.tenant_id, connectionId: connection.id });
  return { connection, key: { tenantId: connection.tenant_id, connectionId: connection.id }, accounts, tokens };
}

/**
 * The rows stored for one account at one grain over a range, as `SpendRow`s in the canonical order: what
 * `expectedSpendRows` (from `@adsync/providers/testing/spend-truth`) computes from the simulator's truth.
 */
export async function storedSpend(
  db: Db,
  adAccountId: string,
  range: { from: string; to: string; grain: SpendGrain },
): Promise<SpendRow[]> {
  let query = db
    .selectFrom('ad_spend')
    .select(['date', 'hour', 'region', 'spend_micros', 'impressions', 'clicks'])
    .where('ad_account_id', '=', adAccountId)
    .where('date', '>=', range.from)
    .where('date', '<=', range.to);
  query =
    range.grain === 'day'
      ? query.where('hour', 'is', null).where('region', 'is', null)
      : range.grain === 'hour'
        ? query.where('hour', 'is not', null)
        : query.where('region', 'is not', null);
  const rows = await query.execute();
  return sortSpendRows(
    rows.map((row) => ({
      date: row.date,
      hour: row.hour,
      region: row.region,
      spendMicros: row.spend_micros,
      impressions: Number(row.impressions),
      clicks: Number(row.clicks),
    })),
  );
}
