// Spend rows: idempotent writes of one grain of one account's date range (upsert, then remove what the
// platform no longer reports), the restatements those writes reveal, and the tenant-scoped reads behind the
// spend API. Rows are keyed (tenant, provider, account, date, hour, region); see 0001's ad_spend.

import { type Kysely, sql, type Transaction } from 'kysely';
import type { Db } from '../create-database.ts';
import type { Database, Provider } from '../schema.ts';

/** Which rows of an account a write replaces: whole days, hours, or regions (never mixed in a row). */
export type SpendGrain = 'day' | 'hour' | 'region';

export interface SpendRowInput {
  date: string;
  hour: number | null;
  region: string | null;
  spendMicros: bigint;
  impressions: number;
  clicks: number;
}

export interface SpendWrite {
  tenantId: string;
  provider: Provider;
  adAccountId: string;
  currency: string;
  /** Inclusive local dates the platform was asked for: rows of the grain in it that it no longer reports go. */
  from: string;
  to: string;
  grain: SpendGrain;
  rows: readonly SpendRowInput[];
  /** For `day` writes: record a restatement when a date before this one moves by more than the threshold. */
  restatement?: { before: string; thresholdPercent: number; syncRunId: string };
}

export interface SpendWriteResult {
  /** Rows inserted or changed (identical rows are left alone, so a repeated sync writes nothing). */
  upserted: number;
  removed: number;
  restatements: number;
}

function grainFilter(grain: SpendGrain) {
  if (grain === 'day') return sql`hour IS NULL AND region IS NULL`;
  return grain === 'hour' ? sql`hour IS NOT NULL AND region IS NULL` : sql`region IS NOT NULL AND hour IS NULL`;
}

async function dayTotals(trx: Transaction<Database>, write: SpendWrite): Promise<Map<string, bigint>> {
  const result = await sql<{ date: string; spend_micros: bigint }>`
    SELECT date, spend_micros FROM ad_spend
    WHERE tenant_id = ${write.tenantId} AND provider = ${write.provider} AND ad_account_id = ${write.adAccountId}
      AND date BETWEEN ${write.from} AND ${write.to} AND hour IS NULL AND region IS NULL
    FOR UPDATE`.execute(trx);
  return new Map(result.rows.map((row) => [row.date, row.spend_micros]));
}

/** Upserts one grain of one account's range in one statement: arrays unnested, unchanged rows untouched. */
async function upsertRows(trx: Kysely<Database>, write: SpendWrite): Promise<number> {
  if (write.rows.length === 0) return 0;
  const column = <T>(pick: (row: SpendRowInput) => T) => write.rows.map(pick);
  const result = await sql`
    INSERT INTO ad_spend AS spend
      (tenant_id, provider, ad_account_id, currency, date, hour, region, spend_micros, impressions, clicks)
    SELECT ${write.tenantId}::uuid, ${write.provider}::text, ${write.adAccountId}::uuid, ${write.currency}::char(3), *
    FROM unnest(
      ${column((row) => row.date)}::date[],
      ${column((row) => row.hour)}::smallint[],
      ${column((row) => row.region)}::text[],
      ${column((row) => row.spendMicros.toString())}::bigint[],
      ${column((row) => row.impressions)}::bigint[],
      ${column((row) => row.clicks)}::bigint[])
    ON CONFLICT ON CONSTRAINT ad_spend_key DO UPDATE SET
      spend_micros = excluded.spend_micros,
      currency = excluded.currency,
      impressions = excluded.impressions,
      clicks = excluded.clicks,
      synced_at = now()
    WHERE (spend.spend_micros, spend.currency, spend.impressions, spend.clicks)
      IS DISTINCT FROM (excluded.spend_micros, excluded.currency, excluded.impressions, excluded.clicks)`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/** Rows of the grain in the range that the fresh read did not return: the platform took that spend back. */
async function removeUnreported(trx: Kysely<Database>, write: SpendWrite): Promise<number> {
  const column = <T>(pick: (row: SpendRowInput) => T) => write.rows.map(pick);
  const result = await sql`
    DELETE FROM ad_spend AS spend
    WHERE tenant_id = ${write.tenantId} AND provider = ${write.provider} AND ad_account_id = ${write.adAccountId}
      AND date BETWEEN ${write.from} AND ${write.to} AND ${grainFilter(write.grain)}
      AND NOT EXISTS (
        SELECT 1 FROM unnest(
          ${column((row) => row.date)}::date[],
          ${column((row) => row.hour)}::smallint[],
          ${column((row) => row.region)}::text[]) AS fresh(date, hour, region)
        WHERE fresh.date = spend.date
          AND fresh.hour IS NOT DISTINCT FROM spend.hour
          AND fresh.region IS NOT DISTINCT FROM spend.region)`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/** Moved by more than `thresholdPercent` of what we had (any move at all when we had zero). */
function movedBeyond(previous: bigint, restated: bigint, thresholdPercent: number): boolean {
  const change = restated > previous ? restated - previous : previous - restated;
  if (change === 0n) return false;
  if (previous === 0n) return true;
  // Whole basis points keep the comparison in integers.
  return change * 10_000n > previous * BigInt(Math.round(thresholdPercent * 100));
}

/** Writes one grain of one account's range; repeated with the same rows it changes nothing. */
export async function writeSpendRows(db: Db, write: SpendWrite): Promise<SpendWriteResult> {
  return db.transaction().execute(async (trx) => {
    const restatement = write.grain === 'day' ? write.restatement : undefined;
    const before = restatement === undefined ? undefined : await dayTotals(trx, write);
    const upserted = await upsertRows(trx, write);
    const removed = await removeUnreported(trx, write);
    if (restatement === undefined || before === undefined) return { upserted, removed, restatements: 0 };
    const restated = new Map(write.rows.map((row) => [row.date, row.spendMicros]));
    const changes = [...before]
      .filter(([date]) => date < restatement.before)
      .map(([date, previous]) => ({ date, previous, now: restated.get(date) ?? 0n }))
      .filter((change) => movedBeyond(change.previous, change.now, restatement.thresholdPercent));
    if (changes.length > 0) {
      await trx
        .insertInto('spend_restatements')
        .values(
          changes.map((change) => ({
            tenant_id: write.tenantId,
            provider: write.provider,
            ad_account_id: write.adAccountId,
            sync_run_id: restatement.syncRunId,
            date: change.date,
            previous_micros: change.previous,
            restated_micros: change.now,
            currency: write.currency,
          })),
        )
        .execute();
    }
    return { upserted, removed, restatements: changes.length };
  });
}

// ---- reads for the spend API (every one scoped to the tenant) ----

export interface SpendFilter {
  tenantId: string;
  from: string;
  to: string;
  provider?: Provider | undefined;
  adAccountId?: string | undefined;
}

export interface SpendTotal {
  spendMicros: bigint;
  currency: string;
  impressions: bigint;
  clicks: bigint;
}

function filtered(db: Db, filter: SpendFilter) {
  let query = db
    .selectFrom('ad_spend')
    .where('ad_spend.tenant_id', '=', filter.tenantId)
    .where('ad_spend.date', '>=', filter.from)
    .where('ad_spend.date', '<=', filter.to);
  if (filter.provider !== undefined) query = query.where('ad_spend.provider', '=', filter.provider);
  if (filter.adAccountId !== undefined) query = query.where('ad_spend.ad_account_id', '=', filter.adAccountId);
  return query;
}

const totals = sql<string>`sum(spend_micros)`.as('spend_micros');
const impressions = sql<string>`sum(impressions)`.as('impressions');
const clicks = sql<string>`sum(clicks)`.as('clicks');

function total(row: { spend_micros: string; currency: string; impressions: string; clicks: string }): SpendTotal {
  return {
    spendMicros: BigInt(row.spend_micros),
    currency: row.currency,
    impressions: BigInt(row.impressions),
    clicks: BigInt(row.clicks),
  };
}

/** Spend per day and platform (amounts in different currencies are never added together). */
export async function spendByDay(db: Db, filter: SpendFilter) {
  const rows = await filtered(db, filter)
    .where('hour', 'is', null)
    .where('region', 'is', null)
    .select(['date', 'provider', 'currency', totals, impressions, clicks])
    .groupBy(['date', 'provider', 'currency'])
    .orderBy('date')
    .orderBy('provider')
    .orderBy('currency')
    .execute();
  return rows.map((row) => ({ date: row.date, provider: row.provider, ...total(row) }));
}

/** Spend per ad account over the range, with the account's name and platform. */
export async function spendByAccount(db: Db, filter: SpendFilter) {
  const rows = await filtered(db, filter)
    .innerJoin('ad_accounts', 'ad_accounts.id', 'ad_spend.ad_account_id')
    .where('hour', 'is', null)
    .where('region', 'is', null)
    .select([
      'ad_spend.ad_account_id',
      'ad_accounts.external_id',
      'ad_accounts.name',
      'ad_spend.provider',
      'ad_spend.currency',
      totals,
      impressions,
      clicks,
    ])
    .groupBy([
      'ad_spend.ad_account_id',
      'ad_accounts.external_id',
      'ad_accounts.name',
      'ad_spend.provider',
      'ad_spend.currency',
    ])
    .orderBy('ad_spend.provider')
    .orderBy('ad_accounts.name')
    .execute();
  return rows.map((row) => ({
    adAccountId: row.ad_account_id,
    externalId: row.external_id,
    name: row.name,
    provider: row.provider,
    ...total(row),
  }));
}

/** Spend per platform and region over the range. */
export async function spendByRegion(db: Db, filter: SpendFilter) {
  const rows = await filtered(db, filter)
    .where('region', 'is not', null)
    .where('hour', 'is', null)
    .select(['provider', 'region', 'currency', totals, impressions, clicks])
    .groupBy(['provider', 'region', 'currency'])
    .orderBy('provider')
    .orderBy('spend_micros', 'desc')
    .execute();
  return rows.map((row) => ({ provider: row.provider, region: row.region ?? '', ...total(row) }));
}

/** One account's hours over the range, in the account's time zone. */
export async function spendByHour(db: Db, filter: SpendFilter & { adAccountId: string }) {
  const rows = await filtered(db, filter)
    .where('hour', 'is not', null)
    .where('region', 'is', null)
    .select(['date', 'hour', 'currency', 'spend_micros', 'impressions', 'clicks'])
    .orderBy('date')
    .orderBy('hour')
    .execute();
  return rows.map((row) => ({
    date: row.date,
    hour: row.hour ?? 0,
    spendMicros: row.spend_micros,
    currency: row.currency,
    impressions: row.impressions,
    clicks: row.clicks,
  }));
}

export async function listSpendRestatements(db: Db, key: { tenantId: string; limit: number }) {
  return db
    .selectFrom('spend_restatements')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .limit(key.limit)
    .execute();
}
