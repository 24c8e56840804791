// The synchronous integrated report (providers.md §3.2) as a pure function of its parameters and `now`:
// validation with TikTok's 40002 messages, and rows aggregated from the spend truth cells.

import type { SimulatedAccount } from '../seed/accounts.ts';
import { regionByCode } from '../spend/regions.ts';
import { datesBetween, minorToDecimal, type SpendCell } from '../spend/spend-model.ts';
import { type SpendTruthCell, spendCells, sumCells } from '../spend/spend-truth.ts';
import { TIKTOK_CODES, TikTokError } from './tiktok.envelope.ts';

export interface ReportQuery {
  reportType: string;
  dataLevel: string | undefined;
  serviceType: string | undefined;
  dimensions: readonly string[];
  metrics: readonly string[];
  startDate: string | undefined;
  endDate: string | undefined;
  page: number;
  pageSize: number;
  enableTotalMetrics: boolean;
}

type Row = { dimensions: Record<string, string>; metrics: Record<string, string> };

/** BASIC reports split by id and time; AUDIENCE adds geography (geo dimension names unverified, §3.2). */
const DIMENSIONS: Record<string, readonly string[]> = {
  BASIC: ['advertiser_id', 'stat_time_day', 'stat_time_hour'],
  AUDIENCE: ['advertiser_id', 'stat_time_day', 'country_code', 'province_id'],
};
const GEO_DIMENSIONS = ['country_code', 'province_id'];
const METRICS = ['spend', 'impressions', 'clicks', 'currency', 'cpc', 'cpm', 'ctr'];
/** Span limits: hourly 1 day (unverified), daily 30 days (third-party doc), otherwise 365 days. */
const MAX_DAYS = { hour: 1, day: 30, other: 365 } as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parameterError(message: string): TikTokError {
  return new TikTokError(TIKTOK_CODES.parameterError, message);
}

function validDate(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw parameterError(`${name}: Missing data for required field.`);
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw parameterError(`${name}: Not a valid date, expected format YYYY-MM-DD.`);
  }
  return value;
}

function validate(query: ReportQuery): { dates: string[] } {
  const allowed = DIMENSIONS[query.reportType];
  if (allowed === undefined) {
    throw parameterError(`report_type: ${query.reportType} is not supported; use BASIC or AUDIENCE.`);
  }
  if (query.dataLevel !== 'AUCTION_ADVERTISER') {
    throw parameterError(`data_level: ${query.dataLevel ?? '(missing)'} is not supported; use AUCTION_ADVERTISER.`);
  }
  if (query.serviceType !== undefined && query.serviceType !== 'AUCTION') {
    throw parameterError('service_type: only AUCTION is supported.');
  }
  if (query.dimensions.length === 0) throw parameterError('dimensions: Missing data for required field.');
  const invalid = query.dimensions.find((dimension) => !allowed.includes(dimension));
  if (invalid !== undefined) {
    throw parameterError(`dimensions: ${invalid} is not a valid dimension for report_type ${query.reportType}.`);
  }
  if (new Set(query.dimensions).size !== query.dimensions.length) {
    throw parameterError('dimensions: Duplicate dimensions.');
  }
  const hourly = query.dimensions.includes('stat_time_hour');
  if (hourly && query.dimensions.includes('stat_time_day')) {
    throw parameterError('dimensions: stat_time_day and stat_time_hour cannot be used together.');
  }
  if (query.reportType === 'AUDIENCE' && !query.dimensions.some((dimension) => GEO_DIMENSIONS.includes(dimension))) {
    throw parameterError('dimensions: an AUDIENCE report needs an audience dimension such as province_id.');
  }
  if (query.metrics.length === 0) throw parameterError('metrics: Missing data for required field.');
  const unknownMetric = query.metrics.find((metric) => !METRICS.includes(metric));
  if (unknownMetric !== undefined) throw parameterError(`metrics: ${unknownMetric} is not a valid metric.`);
  if (!Number.isInteger(query.page) || query.page < 1)
    throw parameterError('page: Must be greater than or equal to 1.');
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1 || query.pageSize > 1000) {
    throw parameterError('page_size: Must be between 1 and 1000.');
  }
  const start = validDate(query.startDate, 'start_date');
  const end = validDate(query.endDate, 'end_date');
  if (start > end) throw parameterError('start_date: start_date must be earlier than or equal to end_date.');
  const dates = datesBetween(start, end);
  const limit = hourly ? MAX_DAYS.hour : query.dimensions.includes('stat_time_day') ? MAX_DAYS.day : MAX_DAYS.other;
  if (dates.length > limit) {
    throw parameterError(
      `start_date, end_date: the time span is too long; at most ${limit} day(s) with dimensions ${JSON.stringify(query.dimensions)}.`,
    );
  }
  return { dates };
}

function dimensionValue(dimension: string, cell: SpendTruthCell, advertiser: SimulatedAccount): string {
  const hour = String(cell.hour).padStart(2, '0');
  switch (dimension) {
    case 'advertiser_id':
      return advertiser.id;
    case 'stat_time_day':
      return `${cell.date} 00:00:00`;
    case 'stat_time_hour':
      return `${cell.date} ${hour}:00:00`;
    case 'country_code':
      return regionByCode(cell.regionCode).country;
    case 'province_id':
      return regionByCode(cell.regionCode).tiktokProvinceId;
    default:
      throw new Error(`unhandled dimension ${dimension}`);
  }
}

/** Metric values are strings; ratios are rounded to 2 decimals, `ctr` is a percentage. */
function metricValues(metrics: readonly string[], total: SpendCell, currency: string): Record<string, string> {
  const spend = Number(minorToDecimal(total.spendMinor, currency));
  const ratio = (value: number, base: number) => (base === 0 ? '0.00' : (value / base).toFixed(2));
  const values: Record<string, string> = {
    spend: minorToDecimal(total.spendMinor, currency),
    impressions: String(total.impressions),
    clicks: String(total.clicks),
    currency,
    cpc: ratio(spend, total.clicks),
    cpm: ratio(spend * 1000, total.impressions),
    ctr: ratio(total.clicks * 100, total.impressions),
  };
  return Object.fromEntries(metrics.map((metric) => [metric, values[metric] ?? '']));
}

export function integratedReport(advertiser: SimulatedAccount, query: ReportQuery, now: number) {
  const { dates } = validate(query);
  const cells = spendCells('tiktok', advertiser, dates, now);
  // Group keys keep the dimension values in order; sorting them orders rows by time, then geography.
  const groups = sumCells(cells, (cell) =>
    JSON.stringify(query.dimensions.map((dimension) => dimensionValue(dimension, cell, advertiser))),
  );
  const rows: Row[] = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, total]) => {
      const values = JSON.parse(key) as string[];
      return {
        dimensions: Object.fromEntries(query.dimensions.map((dimension, index) => [dimension, values[index] ?? ''])),
        metrics: metricValues(query.metrics, total, advertiser.currency),
      };
    });
  const totalPage = Math.ceil(rows.length / query.pageSize);
  const data: Record<string, unknown> = {
    list: rows.slice((query.page - 1) * query.pageSize, query.page * query.pageSize),
    page_info: { page: query.page, page_size: query.pageSize, total_number: rows.length, total_page: totalPage },
  };
  if (query.enableTotalMetrics) {
    const total = sumCells(cells, () => 'all').get('all') ?? { spendMinor: 0, impressions: 0, clicks: 0 };
    data.total_metrics = metricValues(query.metrics, total, advertiser.currency);
  }
  return data;
}
