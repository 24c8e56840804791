// Ad account Insights (providers.md §1.4) as pure functions: the request's parameters checked and resolved
// in the account's time zone, and rows aggregated from the spend truth cells, numbers as strings.

import type { SimulatedAccount } from '../seed/accounts.ts';
import { regionByCode } from '../spend/regions.ts';
import { datesBetween, localDateHour, minorToDecimal, type SpendCell } from '../spend/spend-model.ts';
import { type DayGrouping, dayTotals } from '../spend/spend-truth.ts';
import { MetaError, parameterError } from './meta.errors.ts';

export interface InsightsQuery {
  fields: readonly string[];
  since: string;
  until: string;
  timeIncrement: number | 'all_days' | 'monthly';
  breakdowns: readonly string[];
}

export type InsightsRow = Record<string, string>;

const FIELDS = [
  'account_id',
  'account_name',
  'account_currency',
  'spend',
  'impressions',
  'clicks',
  'cpc',
  'cpm',
  'ctr',
  'date_start',
  'date_stop',
] as const;
/** What Insights returns when `fields` is absent. */
const DEFAULT_FIELDS = ['impressions', 'spend'];
const HOURLY = 'hourly_stats_aggregated_by_advertiser_time_zone';
const BREAKDOWNS = ['country', 'region', HOURLY];
/** `maximum` and the oldest `since` Insights accepts: 37 months back. */
const MAX_MONTHS_BACK = 37;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Joins a row's grouping values; no date, region name or hour label contains it. */
const KEY_SEPARATOR = '|';

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function shiftMonths(date: string, months: number): string {
  const [year = 0, month = 1] = date.split('-').map(Number);
  const index = year * 12 + (month - 1) + months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

function endOfMonth(date: string): string {
  return shiftDays(shiftMonths(date, 1), -1);
}

/** ISO dates compare as strings. */
function earlier(a: string, b: string): string {
  return a < b ? a : b;
}

function later(a: string, b: string): string {
  return a > b ? a : b;
}

/** 0 = Monday … 6 = Sunday. */
function weekdayFromMonday(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

function quarterStart(date: string): string {
  const month = Number(date.slice(5, 7));
  return `${date.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, '0')}-01`;
}

/** Each documented `date_preset` as [since, until] around the account's local `today`. */
function presetRange(preset: string, today: string): [string, string] | undefined {
  const lastDays = /^last_(\d+)d$/.exec(preset);
  if (lastDays !== null && ['3', '7', '14', '28', '30', '90'].includes(lastDays[1] ?? '')) {
    return [shiftDays(today, -Number(lastDays[1])), shiftDays(today, -1)];
  }
  const monday = shiftDays(today, -weekdayFromMonday(today));
  const sunday = shiftDays(today, -((weekdayFromMonday(today) + 1) % 7));
  const thisQuarter = quarterStart(today);
  const thisYear = `${today.slice(0, 4)}-01-01`;
  const ranges: Record<string, [string, string]> = {
    today: [today, today],
    yesterday: [shiftDays(today, -1), shiftDays(today, -1)],
    this_month: [shiftMonths(today, 0), today],
    last_month: [shiftMonths(today, -1), shiftDays(shiftMonths(today, 0), -1)],
    this_quarter: [thisQuarter, today],
    last_quarter: [shiftMonths(thisQuarter, -3), shiftDays(thisQuarter, -1)],
    this_year: [thisYear, today],
    last_year: [shiftMonths(thisYear, -12), shiftDays(thisYear, -1)],
    this_week_mon_today: [monday, today],
    this_week_sun_today: [sunday, today],
    last_week_mon_sun: [shiftDays(monday, -7), shiftDays(monday, -1)],
    last_week_sun_sat: [shiftDays(sunday, -7), shiftDays(sunday, -1)],
    maximum: [shiftMonths(today, -MAX_MONTHS_BACK), today],
    data_maximum: [shiftMonths(today, -MAX_MONTHS_BACK), today],
  };
  return ranges[preset];
}

function validDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** Graph takes JSON-valued parameters as JSON strings in a query or form, or as values in a JSON body. */
function jsonParameter(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw parameterError(`param ${name} must be a JSON object`);
  }
}

function listParameter(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const trimmed = value.trim();
  const items = trimmed.startsWith('[')
    ? (jsonParameter(trimmed, 'list') as unknown[]).map(String)
    : trimmed.split(',');
  return items.map((item) => item.trim()).filter(Boolean);
}

function timeRange(params: Record<string, unknown>, today: string): [string, string] {
  if (params.time_range !== undefined) {
    const range = jsonParameter(params.time_range, 'time_range') as { since?: unknown; until?: unknown } | null;
    if (range === null || typeof range !== 'object' || !validDate(range.since) || !validDate(range.until)) {
      throw parameterError('param time_range must be a JSON object with since and until dates as YYYY-MM-DD');
    }
    if (range.since > range.until)
      throw parameterError('param time_range is invalid: since must be on or before until');
    return [range.since, range.until];
  }
  const preset = typeof params.date_preset === 'string' ? params.date_preset : 'last_30d';
  const range = presetRange(preset, today);
  if (range === undefined) {
    throw parameterError(
      `date_preset must be one of the following values: today, yesterday, this_month, last_month, this_quarter, maximum, data_maximum, last_3d, last_7d, last_14d, last_28d, last_30d, last_90d, last_week_mon_sun, last_week_sun_sat, last_quarter, last_year, this_week_mon_today, this_week_sun_today, this_year`,
    );
  }
  return range;
}

function timeIncrement(value: unknown): InsightsQuery['timeIncrement'] {
  if (value === undefined || value === 'all_days') return 'all_days';
  if (value === 'monthly') return 'monthly';
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw parameterError('param time_increment must be monthly, all_days or a number of days between 1 and 90');
  }
  return days;
}

/** Checks the request's parameters and resolves presets against the account's local date at `now`. */
export function parseInsightsQuery(
  params: Record<string, unknown>,
  account: SimulatedAccount,
  now: number,
): InsightsQuery {
  const level = params.level ?? 'account';
  if (level !== 'account') {
    throw parameterError(`level ${String(level)}: the simulated accounts have no campaigns; use level=account`);
  }
  const requested = params.fields === undefined ? DEFAULT_FIELDS : listParameter(params.fields);
  const invalidField = requested.find((field) => !(FIELDS as readonly string[]).includes(field));
  if (invalidField !== undefined) {
    throw parameterError(
      `${invalidField} is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values`,
    );
  }
  const breakdowns = listParameter(params.breakdowns);
  const invalidBreakdown = breakdowns.find((breakdown) => !BREAKDOWNS.includes(breakdown));
  if (invalidBreakdown !== undefined) {
    throw parameterError(`${invalidBreakdown} is not valid for breakdowns param.`);
  }
  if (breakdowns.length > 1) {
    // Hourly stats combine with nothing, and geography comes one level at a time.
    throw parameterError(`Current combination of data breakdown columns (${breakdowns.join(', ')}) is invalid `);
  }
  const today = localDateHour(now, account.timezone).date;
  const [since, until] = timeRange(params, today);
  if (since < shiftMonths(today, -MAX_MONTHS_BACK)) {
    throw new MetaError(
      3018,
      `(#3018) The start date of the time range cannot be beyond ${MAX_MONTHS_BACK} months from the current date`,
    );
  }
  return {
    fields: [...new Set(requested)],
    since,
    until,
    timeIncrement: timeIncrement(params.time_increment),
    breakdowns,
  };
}

/** The [date_start, date_stop] of the row a date falls in. */
function periodOf(date: string, query: InsightsQuery): [string, string] {
  if (query.timeIncrement === 'all_days') return [query.since, query.until];
  if (query.timeIncrement === 'monthly') {
    const start = shiftMonths(date, 0);
    const stop = endOfMonth(date);
    return [later(start, query.since), earlier(stop, query.until)];
  }
  const offset = (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${query.since}T00:00:00Z`)) / 86_400_000;
  const start = shiftDays(query.since, Math.floor(offset / query.timeIncrement) * query.timeIncrement);
  const stop = shiftDays(start, query.timeIncrement - 1);
  return [start, earlier(stop, query.until)];
}

/** How a day's totals must be split for the breakdown; country is summed from regions. */
function groupingOf(breakdowns: readonly string[]): DayGrouping {
  const [breakdown] = breakdowns;
  if (breakdown === undefined) return 'all';
  return breakdown === HOURLY ? 'hour' : 'region';
}

/** The breakdown column's value for a day-total key (an hour or a region code). */
function breakdownValue(breakdown: string, key: string): string {
  switch (breakdown) {
    case 'country':
      return regionByCode(key).country;
    case 'region':
      return regionByCode(key).name;
    default: {
      const hour = key.padStart(2, '0');
      return `${hour}:00:00 - ${hour}:59:59`;
    }
  }
}

/** Ratios as Graph prints them: up to 6 decimals, no trailing zeros. */
function ratio(value: number, base: number): string {
  return base === 0 ? '0' : String(Number((value / base).toFixed(6)));
}

function metricValue(field: string, total: SpendCell, account: SimulatedAccount): string | undefined {
  const spend = Number(minorToDecimal(total.spendMinor, account.currency));
  switch (field) {
    case 'account_id':
      return account.id.slice('act_'.length);
    case 'account_name':
      return account.name;
    case 'account_currency':
      return account.currency;
    case 'spend':
      return minorToDecimal(total.spendMinor, account.currency);
    case 'impressions':
      return String(total.impressions);
    case 'clicks':
      return String(total.clicks);
    case 'cpc':
      return ratio(spend, total.clicks);
    case 'cpm':
      return ratio(spend * 1000, total.impressions);
    case 'ctr':
      return ratio(total.clicks * 100, total.impressions);
    default:
      return undefined;
  }
}

/** Every row of the report as of `now`, ordered by period, then breakdown value. */
export function insightsRows(account: SimulatedAccount, query: InsightsQuery, now: number): InsightsRow[] {
  const grouping = groupingOf(query.breakdowns);
  const [breakdown] = query.breakdowns;
  const groups = new Map<string, SpendCell>();
  for (const date of datesBetween(query.since, query.until)) {
    const period = periodOf(date, query).join(KEY_SEPARATOR);
    for (const [key, day] of dayTotals('meta', account, date, grouping, now)) {
      const group = breakdown === undefined ? period : period + KEY_SEPARATOR + breakdownValue(breakdown, key);
      const total = groups.get(group);
      if (total === undefined) groups.set(group, { ...day });
      else {
        total.spendMinor += day.spendMinor;
        total.impressions += day.impressions;
        total.clicks += day.clicks;
      }
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, total]) => {
      const [dateStart = '', dateStop = '', value] = key.split(KEY_SEPARATOR);
      const row: InsightsRow = {};
      for (const field of query.fields) {
        const metric = metricValue(field, total, account);
        if (metric !== undefined) row[field] = metric;
      }
      if (breakdown !== undefined) row[breakdown] = value ?? '';
      row.date_start = dateStart;
      row.date_stop = dateStop;
      return row;
    });
}
