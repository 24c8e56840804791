// The spend a platform reports for an account, cell by cell, as of `now`: what a test compares stored rows
// with. Platform handlers aggregate these same cells, so the truth and the API can never disagree.

import type { SimulatedAccount } from '../seed/accounts.ts';
import { hourHasStarted, localDateHour, localHoursOf, type SpendCell, spendCell } from './spend-model.ts';

export interface SpendTruthCell extends SpendCell {
  date: string;
  hour: number;
  regionCode: string;
}

const dayCache = new Map<string, readonly SpendTruthCell[]>();
const DAY_CACHE_LIMIT = 50_000;

/** Every cell of one local day, whether or not its hours have come yet. A day's cells never change. */
function cellsOfDay(platform: string, account: SimulatedAccount, date: string): readonly SpendTruthCell[] {
  const key = `${platform}|${account.id}|${date}`;
  const cached = dayCache.get(key);
  if (cached !== undefined) return cached;
  const cells: SpendTruthCell[] = [];
  for (const hour of localHoursOf(date, account.timezone)) {
    for (const regionCode of account.regions) {
      const cell = spendCell({ platform, accountId: account.id, date, hour, regionCode, scale: account.scale });
      cells.push({ date, hour, regionCode, ...cell });
    }
  }
  if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear();
  dayCache.set(key, cells);
  return cells;
}

export function spendCells(
  platform: string,
  account: SimulatedAccount,
  dates: readonly string[],
  now: number,
): SpendTruthCell[] {
  const localNow = localDateHour(now, account.timezone);
  const cells: SpendTruthCell[] = [];
  for (const date of dates) {
    if (date > localNow.date) continue;
    const day = cellsOfDay(platform, account, date);
    if (date < localNow.date) cells.push(...day);
    else for (const cell of day) if (hourHasStarted(date, cell.hour, localNow)) cells.push(cell);
  }
  return cells;
}

/** Sums cells grouped by `key`, keeping the first cell's fields for the group. */
export function sumCells<K extends string>(
  cells: readonly SpendTruthCell[],
  key: (cell: SpendTruthCell) => K,
): Map<K, SpendCell> {
  const totals = new Map<K, SpendCell>();
  for (const cell of cells) {
    const group = key(cell);
    const total = totals.get(group) ?? { spendMinor: 0, impressions: 0, clicks: 0 };
    total.spendMinor += cell.spendMinor;
    total.impressions += cell.impressions;
    total.clicks += cell.clicks;
    totals.set(group, total);
  }
  return totals;
}

export type DayGrouping = 'all' | 'hour' | 'region';

const dayTotalsCache = new Map<string, ReadonlyMap<string, SpendCell>>();

function groupKey(cell: SpendTruthCell, grouping: DayGrouping): string {
  if (grouping === 'hour') return String(cell.hour);
  return grouping === 'region' ? cell.regionCode : 'all';
}

/**
 * One local day's totals as of `now`, by hour (`"0"`…`"23"`), by region code or as one `all` entry. Days
 * before the account's today are cached: their cells are final. Reports over many days add these up
 * instead of every cell, which keeps a month of hourly-by-region rows cheap.
 */
export function dayTotals(
  platform: string,
  account: SimulatedAccount,
  date: string,
  grouping: DayGrouping,
  now: number,
): ReadonlyMap<string, SpendCell> {
  const final = date < localDateHour(now, account.timezone).date;
  const key = `${platform}|${account.id}|${date}|${grouping}`;
  const cached = final ? dayTotalsCache.get(key) : undefined;
  if (cached !== undefined) return cached;
  const totals = sumCells(spendCells(platform, account, [date], now), (cell) => groupKey(cell, grouping));
  if (final) {
    if (dayTotalsCache.size >= DAY_CACHE_LIMIT) dayTotalsCache.clear();
    dayTotalsCache.set(key, totals);
  }
  return totals;
}
