// The spend a platform reports for an account, cell by cell, as of `now`: what a test compares stored rows
// with. Platform handlers aggregate these same cells, so the truth and the API can never disagree.

import type { SimulatedAccount } from '../seed/accounts.ts';
import { hasStarted, localHoursOf, type SpendCell, spendCell } from './spend-model.ts';

export interface SpendTruthCell extends SpendCell {
  date: string;
  hour: number;
  regionCode: string;
}

export function spendCells(
  platform: string,
  account: SimulatedAccount,
  dates: readonly string[],
  now: number,
): SpendTruthCell[] {
  const cells: SpendTruthCell[] = [];
  for (const date of dates) {
    for (const hour of localHoursOf(date, account.timezone)) {
      if (!hasStarted(date, hour, now, account.timezone)) continue;
      for (const regionCode of account.regions) {
        const cell = spendCell({ platform, accountId: account.id, date, hour, regionCode, scale: account.scale });
        cells.push({ date, hour, regionCode, ...cell });
      }
    }
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
