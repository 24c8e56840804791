// TikTok spend by day, local hour or province, from the synchronous integrated report (providers.md §3.2):
// one advertiser, the range cut into the spans TikTok allows per request, every page followed.

import { err, ok } from '@adsync/errors';
import { type PagingOptions, refusedPage } from '../paging.ts';
import type { ProviderError, ProviderResult } from '../provider.ts';
import type { TikTokSettings } from '../settings.ts';
import { noRoomUnderLimiter, type SpendGrain, type SpendQuery, type SpendReader, type SpendRow } from '../spend.ts';
import { callTikTok } from './tiktok.api.ts';
import { schemaError } from './tiktok.errors.ts';
import { type IntegratedReportRow, integratedReport } from './tiktok.schemas.ts';

const ACTION = 'read spend';
/** TikTok's limits are per endpoint; every call here is the one report endpoint. */
const PACER_ENDPOINT = 'report';
const PAGE_SIZE = 1000;
/**
 * Pages of one span's report: a million rows, where the largest real one (30 days × an advertiser's provinces)
 * is a few thousand. TikTok's own `total_page` is checked against it before anything more is asked for.
 */
const MAX_REPORT_PAGES = 1_000;
const METRICS = ['spend', 'impressions', 'clicks'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

interface ReportPlan {
  readonly reportType: 'BASIC' | 'AUDIENCE';
  readonly dimensions: readonly string[];
  /** Days one request may span: daily reports 30, hourly 1 (§3.2). */
  readonly maxDays: number;
  /** The row a report entry stands for; undefined when the entry lacks the plan's dimensions. */
  readonly row: (entry: IntegratedReportRow) => SpendRow | undefined;
}

const PLANS: Record<SpendGrain, ReportPlan> = {
  day: {
    reportType: 'BASIC',
    dimensions: ['stat_time_day'],
    maxDays: 30,
    row: ({ dimensions: { stat_time_day: day }, metrics }) =>
      day === undefined ? undefined : spendRow(day.date, null, null, metrics),
  },
  hour: {
    reportType: 'BASIC',
    dimensions: ['stat_time_hour'],
    maxDays: 1,
    row: ({ dimensions: { stat_time_hour: hour }, metrics }) =>
      hour === undefined ? undefined : spendRow(hour.date, hour.hour, null, metrics),
  },
  // Geography lives only in AUDIENCE reports; with stat_time_day the daily 30-day span applies.
  region: {
    reportType: 'AUDIENCE',
    dimensions: ['stat_time_day', 'province_id'],
    maxDays: 30,
    row: ({ dimensions: { stat_time_day: day, province_id: province }, metrics }) =>
      day === undefined || province === undefined ? undefined : spendRow(day.date, null, province, metrics),
  },
};

function spendRow(
  date: string,
  hour: number | null,
  region: string | null,
  metrics: IntegratedReportRow['metrics'],
): SpendRow {
  return { date, hour, region, spendMicros: metrics.spend, impressions: metrics.impressions, clicks: metrics.clicks };
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function isDate(value: string): boolean {
  return DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && shiftDate(value, 0) === value;
}

/** `from..to` as consecutive inclusive spans of at most `maxDays` days; none when `from` is after `to`. */
function dateSpans(from: string, to: string, maxDays: number): { start: string; end: string }[] {
  const spans: { start: string; end: string }[] = [];
  for (let start = from; start <= to; start = shiftDate(start, maxDays)) {
    const last = shiftDate(start, maxDays - 1);
    spans.push({ start, end: last < to ? last : to });
  }
  return spans;
}

function invalidRange(query: SpendQuery): ProviderError {
  return {
    code: 'invalid_request',
    message: `A TikTok spend range needs YYYY-MM-DD dates; got ${query.from}..${query.to}.`,
    retryable: false,
  };
}

function byDateHourRegion(a: SpendRow, b: SpendRow): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.hour !== b.hour) return (a.hour ?? -1) - (b.hour ?? -1);
  return (a.region ?? '').localeCompare(b.region ?? '');
}

export function createTikTokSpendReader(settings: TikTokSettings, paging: PagingOptions = {}): SpendReader {
  const pages = { platform: 'TikTok' as const, of: 'a spend report', maxPages: paging.maxPages ?? MAX_REPORT_PAGES };

  function reportPage(query: SpendQuery, plan: ReportPlan, span: { start: string; end: string }, page: number) {
    const search = new URLSearchParams({
      advertiser_id: query.account.externalId,
      report_type: plan.reportType,
      data_level: 'AUCTION_ADVERTISER',
      dimensions: JSON.stringify(plan.dimensions),
      metrics: JSON.stringify(METRICS),
      start_date: span.start,
      end_date: span.end,
      page: String(page),
      page_size: String(PAGE_SIZE),
    });
    return callTikTok(
      {
        method: 'GET',
        url: `${settings.apiUrl}/report/integrated/get/?${search}`,
        headers: { 'Access-Token': query.accessToken },
      },
      integratedReport,
      ACTION,
      [query.accessToken, settings.secret],
    );
  }

  return {
    provider: 'tiktok',

    async read(query): Promise<ProviderResult<SpendRow[]>> {
      if (!isDate(query.from) || !isDate(query.to)) return err(invalidRange(query));
      const plan = PLANS[query.grain];
      const rows: SpendRow[] = [];
      for (const span of dateSpans(query.from, query.to, plan.maxDays)) {
        let totalPages = 1;
        for (let page = 1; page <= totalPages; page += 1) {
          if (!(await query.pacer.before(PACER_ENDPOINT))) return err(noRoomUnderLimiter('tiktok'));
          const answer = await reportPage(query, plan, span, page);
          if (!answer.ok) return answer;
          for (const entry of answer.value.list) {
            const row = plan.row(entry);
            if (row === undefined) return err(schemaError(`${ACTION} (a row without ${plan.dimensions.join(', ')})`));
            rows.push(row);
          }
          totalPages = answer.value.page_info?.total_page ?? page;
          // TikTok says how many pages there are: past the cap, the read fails now rather than after the cap.
          const tooMany = refusedPage(pages, { number: totalPages });
          if (tooMany !== undefined) return err(tooMany);
        }
      }
      return ok(rows.sort(byDateHourRegion));
    },
  };
}
