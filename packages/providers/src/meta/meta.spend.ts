// Meta spend (providers.md §1.4): account-level Insights per local day, per local hour or per region, read
// through async report runs. A run that fails or stalls is not restarted: its range is split in halves, and
// a single day that still does not finish is read synchronously as the last resort.

import { err, ok } from '@adsync/errors';
import type { PagingOptions } from '../paging.ts';
import type { ProviderError, ProviderResult } from '../provider.ts';
import type { MetaSettings } from '../settings.ts';
import { decimalToMicros, type SpendGrain, type SpendQuery, type SpendReader, type SpendRow } from '../spend.ts';
import { createInsightsClient, type InsightsClient } from './meta.insights-client.ts';
import { type RunTiming, readReportNow, runReport } from './meta.report-run.ts';
import type { InsightsRow } from './meta.schemas.ts';

export interface MetaSpendOptions extends PagingOptions {
  /** First wait between report-run polls (ms); grows 1.5× per poll. Default 500. */
  pollIntervalMs?: number;
  /** Longest wait between polls (ms). Default 10 s. */
  maxPollIntervalMs?: number;
  /** A run whose completion has not advanced for this long is split (ms). Default 5 minutes. */
  stallAfterMs?: number;
  /** The clock the stall watchdog reads. */
  now?: () => number;
}

interface DateRange {
  readonly since: string;
  readonly until: string;
}

const DAY_MS = 86_400_000;
/** Keeps each run (and each page set) small; the real limit is 37 months back, not a span. */
const MAX_DAYS_PER_RUN = 31;
const FIELDS = 'spend,impressions,clicks,date_start,date_stop';
const HOURLY = 'hourly_stats_aggregated_by_advertiser_time_zone';
const BREAKDOWN: Record<SpendGrain, string | undefined> = { day: undefined, hour: HOURLY, region: 'region' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function validDate(date: string): boolean {
  return DATE.test(date) && dateOf(dayNumber(date)) === date;
}

/** `from..to` in runs of at most MAX_DAYS_PER_RUN days. */
function chunksOf(from: string, to: string): DateRange[] {
  const ranges: DateRange[] = [];
  for (let start = dayNumber(from); start <= dayNumber(to); start += MAX_DAYS_PER_RUN) {
    ranges.push({ since: dateOf(start), until: dateOf(Math.min(start + MAX_DAYS_PER_RUN - 1, dayNumber(to))) });
  }
  return ranges;
}

/** Two non-empty halves of a range of at least two days. */
function halves(range: DateRange): [DateRange, DateRange] {
  const middle = Math.floor((dayNumber(range.since) + dayNumber(range.until)) / 2);
  return [
    { since: range.since, until: dateOf(middle) },
    { since: dateOf(middle + 1), until: range.until },
  ];
}

function reportParams(range: DateRange, grain: SpendGrain): Record<string, string> {
  const breakdown = BREAKDOWN[grain];
  return {
    level: 'account',
    fields: FIELDS,
    time_range: JSON.stringify({ since: range.since, until: range.until }),
    time_increment: '1',
    ...(breakdown === undefined ? {} : { breakdowns: breakdown }),
  };
}

function invalidRange(query: SpendQuery): ProviderError | undefined {
  if (!validDate(query.from) || !validDate(query.to) || query.from > query.to) {
    return {
      code: 'invalid_request',
      message: `Meta spend needs a range of dates as YYYY-MM-DD, from on or before to (got ${query.from}..${query.to}).`,
      retryable: false,
    };
  }
  return undefined;
}

function rowShapeError(grain: SpendGrain): ProviderError {
  return {
    code: 'unavailable',
    message: `Meta answered an Insights row without its ${grain} breakdown.`,
    retryable: true,
  };
}

/** "13:00:00 - 13:59:59" → 13. */
function hourOf(label: string): number {
  return Number(label.slice(0, 2));
}

function toSpendRow(row: InsightsRow, grain: SpendGrain): SpendRow | undefined {
  const hourLabel = row[HOURLY];
  if (grain === 'hour' && (hourLabel === undefined || hourOf(hourLabel) > 23)) return undefined;
  if (grain === 'region' && row.region === undefined) return undefined;
  return {
    date: row.date_start,
    hour: grain === 'hour' && hourLabel !== undefined ? hourOf(hourLabel) : null,
    region: grain === 'region' ? (row.region ?? null) : null,
    spendMicros: decimalToMicros(row.spend ?? '0'),
    impressions: row.impressions ?? 0,
    clicks: row.clicks ?? 0,
  };
}

/** One row per (date, hour, region): rows Graph repeats for a key are added up. Ordered by date, hour, region. */
function mergeRows(rows: readonly SpendRow[]): SpendRow[] {
  const byKey = new Map<string, SpendRow>();
  for (const row of rows) {
    const key = `${row.date}|${row.hour ?? ''}|${row.region ?? ''}`;
    const known = byKey.get(key);
    byKey.set(
      key,
      known === undefined
        ? row
        : {
            ...known,
            spendMicros: known.spendMicros + row.spendMicros,
            impressions: known.impressions + row.impressions,
            clicks: known.clicks + row.clicks,
          },
    );
  }
  return [...byKey.values()].sort(
    (a, b) =>
      a.date.localeCompare(b.date) || (a.hour ?? -1) - (b.hour ?? -1) || (a.region ?? '').localeCompare(b.region ?? ''),
  );
}

export function createMetaSpendReader(settings: MetaSettings, options: MetaSpendOptions = {}): SpendReader {
  const timing: RunTiming = {
    pollIntervalMs: options.pollIntervalMs ?? 500,
    maxPollIntervalMs: options.maxPollIntervalMs ?? 10_000,
    stallAfterMs: options.stallAfterMs ?? 5 * 60_000,
    now: options.now ?? Date.now,
  };

  /**
   * The range's rows from one async run; if the run fails or stalls, from each half in turn, down to single
   * days read synchronously. A range of n days costs at most 2n − 1 runs and n synchronous reads.
   */
  async function readRange(
    client: InsightsClient,
    query: SpendQuery,
    range: DateRange,
  ): Promise<ProviderResult<InsightsRow[]>> {
    const params = reportParams(range, query.grain);
    const accountId = query.account.externalId;
    const run = await runReport(client, settings.graphUrl, accountId, params, timing, query.signal);
    if (!run.ok) return run;
    if (run.value.kind === 'rows') return ok(run.value.rows);
    if (range.since === range.until) return readReportNow(client, settings.graphUrl, accountId, params);
    const rows: InsightsRow[] = [];
    for (const half of halves(range)) {
      const part = await readRange(client, query, half);
      if (!part.ok) return part;
      rows.push(...part.value);
    }
    return ok(rows);
  }

  return {
    provider: 'meta',

    async read(query) {
      const invalid = invalidRange(query);
      if (invalid !== undefined) return err(invalid);
      const client = createInsightsClient(settings, query, options);
      const rows: SpendRow[] = [];
      for (const chunk of chunksOf(query.from, query.to)) {
        const read = await readRange(client, query, chunk);
        if (!read.ok) return read;
        for (const insightsRow of read.value) {
          const row = toSpendRow(insightsRow, query.grain);
          if (row === undefined) return err(rowShapeError(query.grain));
          rows.push(row);
        }
      }
      return ok(mergeRows(rows));
    },
  };
}
