// Test fixtures for spend syncs: a connection authorized at the simulator with its ad accounts discovered
// and selected, and the rows a sync must have stored, computed from the simulator's spend truth.

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
import type { SpendGrain, TokenSet } from '@adsync/providers';
import { minorToMicros, regionByCode } from '@adsync/simulator';

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

export interface ExpectedRow {
  date: string;
  hour: number | null;
  region: string | null;
  spendMicros: bigint;
  impressions: bigint;
  clicks: bigint;
}

interface TruthCell {
  date: string;
  hour: number;
  regionCode: string;
  spendMinor: number;
  impressions: number;
  clicks: number;
}

/** How each platform names a region in its reports. */
function regionLabel(provider: SpendProvider, code: string): string {
  const region = regionByCode(code);
  if (provider === 'tiktok') return region.tiktokProvinceId;
  return region.name;
}

/** The rows a sync of `from..to` at `grain` must leave, from the simulator's truth as of now. */
export async function expectedSpend(
  simulatorUrl: string,
  provider: SpendProvider,
  externalId: string,
  range: { from: string; to: string; grain: SpendGrain },
): Promise<ExpectedRow[]> {
  const query = new URLSearchParams({ platform: provider, account: externalId, from: range.from, to: range.to });
  const response = await fetch(`${simulatorUrl}/_control/spend?${query}`);
  if (!response.ok) throw new Error(`the simulator has no spend truth for ${externalId}`);
  const truth = (await response.json()) as { account: { currency: string }; cells: TruthCell[] };
  const rows = new Map<string, ExpectedRow>();
  for (const cell of truth.cells) {
    const hour = range.grain === 'hour' ? cell.hour : null;
    const region = range.grain === 'region' ? regionLabel(provider, cell.regionCode) : null;
    const key = `${cell.date}|${hour}|${region}`;
    const row = rows.get(key) ?? { date: cell.date, hour, region, spendMicros: 0n, impressions: 0n, clicks: 0n };
    row.spendMicros += minorToMicros(cell.spendMinor, truth.account.currency);
    row.impressions += BigInt(cell.impressions);
    row.clicks += BigInt(cell.clicks);
    rows.set(key, row);
  }
  return sortRows([...rows.values()]);
}

/** The rows stored for one account at one grain over a range, in the same shape and order. */
export async function storedSpend(
  db: Db,
  adAccountId: string,
  range: { from: string; to: string; grain: SpendGrain },
): Promise<ExpectedRow[]> {
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
  return sortRows(
    rows.map((row) => ({
      date: row.date,
      hour: row.hour,
      region: row.region,
      spendMicros: row.spend_micros,
      impressions: row.impressions,
      clicks: row.clicks,
    })),
  );
}

function sortRows(rows: ExpectedRow[]): ExpectedRow[] {
  return rows.sort(
    (a, b) =>
      a.date.localeCompare(b.date) || (a.hour ?? -1) - (b.hour ?? -1) || (a.region ?? '').localeCompare(b.region ?? ''),
  );
}
