// The spend rows a reader (or a sync that stores what readers return) must produce, computed from the
// simulator's own truth (`GET /_control/spend`): its cells summed to the grain the way `SpendRow` defines
// rows, regions named as each platform names them, in one canonical order. For tests only.

import { minorToMicros, regionByCode, type SpendTruthCell } from '@adsync/simulator';
import type { SpendGrain, SpendReader, SpendRow } from '../spend.ts';

type SpendPlatform = SpendReader['provider'];

/**
 * How each platform names a region in its reports: Meta by name, Google by its geo target constant's name (the
 * simulator names those like the region), TikTok by province id.
 */
function regionLabel(platform: SpendPlatform, code: string): string {
  const region = regionByCode(code);
  return platform === 'tiktok' ? region.tiktokProvinceId : region.name;
}

/** The rows a read of `from..to` at `grain` must return, from the simulator's truth as of now, sorted. */
export async function expectedSpendRows(
  simulatorUrl: string,
  platform: SpendPlatform,
  accountId: string,
  range: { from: string; to: string; grain: SpendGrain },
): Promise<SpendRow[]> {
  const query = new URLSearchParams({ platform, account: accountId, from: range.from, to: range.to });
  const response = await fetch(`${simulatorUrl}/_control/spend?${query}`);
  if (!response.ok) throw new Error(`the simulator has no ${platform} spend truth for ${accountId}`);
  const truth = (await response.json()) as { account: { currency: string }; cells: SpendTruthCell[] };
  const rows = new Map<string, SpendRow>();
  for (const cell of truth.cells) {
    const hour = range.grain === 'hour' ? cell.hour : null;
    const region = range.grain === 'region' ? regionLabel(platform, cell.regionCode) : null;
    const key = `${cell.date}|${hour}|${region}`;
    const known = rows.get(key);
    rows.set(key, {
      date: cell.date,
      hour,
      region,
      spendMicros: (known?.spendMicros ?? 0n) + minorToMicros(cell.spendMinor, truth.account.currency),
      impressions: (known?.impressions ?? 0) + cell.impressions,
      clicks: (known?.clicks ?? 0) + cell.clicks,
    });
  }
  return sortSpendRows([...rows.values()]);
}

/** A sorted copy of `rows` in the canonical order: by date, then hour (none first), then region. */
export function sortSpendRows<Row extends SpendRow>(rows: readonly Row[]): Row[] {
  return [...rows].sort(
    (a, b) =>
      a.date.localeCompare(b.date) || (a.hour ?? -1) - (b.hour ?? -1) || (a.region ?? '').localeCompare(b.region ?? ''),
  );
}
