// The slice of GAQL the simulator understands: SELECT list, FROM resource, and a WHERE made of
// segments.date (BETWEEN / = / DURING) and segments.hour conditions joined by AND.

import { datesBetween, localDateHour } from '../spend/spend-model.ts';

export const RESOURCE_FIELDS: Record<string, readonly string[]> = {
  customer: [
    'customer.resource_name',
    'customer.id',
    'customer.descriptive_name',
    'customer.currency_code',
    'customer.time_zone',
    'customer.manager',
  ],
  geographic_view: [
    'geographic_view.resource_name',
    'geographic_view.country_criterion_id',
    'geographic_view.location_type',
  ],
  user_location_view: [
    'user_location_view.resource_name',
    'user_location_view.country_criterion_id',
    'user_location_view.targeting_location',
  ],
  customer_client: [
    'customer_client.resource_name',
    'customer_client.client_customer',
    'customer_client.id',
    'customer_client.descriptive_name',
    'customer_client.currency_code',
    'customer_client.time_zone',
    'customer_client.manager',
    'customer_client.level',
  ],
  geo_target_constant: [
    'geo_target_constant.resource_name',
    'geo_target_constant.id',
    'geo_target_constant.name',
    'geo_target_constant.country_code',
  ],
};

/** Which resources can carry metrics and segments (the others are attribute-only listings). */
export const REPORTING_RESOURCES = new Set(['customer', 'geographic_view', 'user_location_view']);
const METRICS = ['metrics.cost_micros', 'metrics.impressions', 'metrics.clicks'];
const SEGMENTS = ['segments.date', 'segments.hour', 'segments.geo_target_region'];

export interface GaqlQuery {
  resource: string;
  fields: string[];
  /** Dates named by the date filter, or undefined when the query has none. */
  dates?: string[];
  hour?: number;
}

/** A GAQL error carries the QueryErrorEnum name the real API would return. */
export class GaqlError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** DURING constants resolve against "today" in the account's time zone, as Google does. */
function duringDates(constant: string, today: string): string[] {
  const lastDays = /^LAST_(\d+)_DAYS$/.exec(constant);
  if (constant === 'TODAY') return [today];
  if (constant === 'YESTERDAY') return [shiftDate(today, -1)];
  if (lastDays !== null && ['7', '14', '30'].includes(lastDays[1] ?? '')) {
    // LAST_N_DAYS excludes today.
    return datesBetween(shiftDate(today, -Number(lastDays[1])), shiftDate(today, -1));
  }
  if (constant === 'THIS_MONTH') return datesBetween(`${today.slice(0, 8)}01`, today);
  if (constant === 'LAST_MONTH') {
    const lastOfPrevious = shiftDate(`${today.slice(0, 8)}01`, -1);
    return datesBetween(`${lastOfPrevious.slice(0, 8)}01`, lastOfPrevious);
  }
  throw new GaqlError('INVALID_VALUE_WITH_DURING_OPERATOR', `Unsupported DURING constant ${constant}.`);
}

export function parseGaql(query: string, now: number, timeZone: string): GaqlQuery {
  const match =
    /^\s*SELECT\s+(.+?)\s+FROM\s+([a-z_]+)(?:\s+WHERE\s+(.+?))?(?:\s+(?:ORDER\s+BY|LIMIT|PARAMETERS)\s+.*)?\s*;?\s*$/is.exec(
      query,
    );
  if (match === null) throw new GaqlError('UNEXPECTED_END_OF_QUERY', 'Error in query: unexpected input.');
  const resource = (match[2] ?? '').toLowerCase();
  const own = RESOURCE_FIELDS[resource];
  if (own === undefined) throw new GaqlError('INVALID_RESOURCE_NAME', `Unrecognized resource name: ${resource}.`);
  const reporting = REPORTING_RESOURCES.has(resource);
  const allowed = new Set([...own, ...(reporting ? [...METRICS, ...SEGMENTS] : [])]);
  if (resource !== 'customer' && reporting) for (const field of RESOURCE_FIELDS.customer ?? []) allowed.add(field);
  const fields = (match[1] ?? '').split(',').map((field) => field.trim().toLowerCase());
  for (const field of fields) {
    if (!allowed.has(field)) throw new GaqlError('UNRECOGNIZED_FIELD', `Unrecognized field in the query: '${field}'.`);
  }
  const parsed: GaqlQuery = { resource, fields };
  const today = localDateHour(now, timeZone).date;
  // BETWEEN's own AND is folded away first so the WHERE clause splits cleanly on the joining ANDs.
  const where = (match[3] ?? '').replace(/BETWEEN\s+('[^']*')\s+AND\s+('[^']*')/gi, 'BETWEEN $1 ~ $2');
  for (const condition of where.split(/\s+AND\s+/i).filter((part) => part.trim() !== '')) {
    const text = condition.trim();
    const between = /^segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+~\s+'(\d{4}-\d{2}-\d{2})'$/i.exec(text);
    const equals = /^segments\.date\s*=\s*'(\d{4}-\d{2}-\d{2})'$/i.exec(text);
    const during = /^segments\.date\s+DURING\s+([A-Z0-9_]+)$/i.exec(text);
    const hour = /^segments\.hour\s*=\s*(\d{1,2})$/i.exec(text);
    if (between !== null) parsed.dates = datesBetween(between[1] ?? '', between[2] ?? '');
    else if (equals !== null) parsed.dates = [equals[1] ?? ''];
    else if (during !== null) parsed.dates = duringDates((during[1] ?? '').toUpperCase(), today);
    else if (hour !== null) parsed.hour = Number(hour[1]);
    else throw new GaqlError('BAD_VALUE_IN_WHERE_CLAUSE', `Unsupported condition: ${text}.`);
  }
  if (reporting && parsed.dates === undefined && fields.includes('segments.date')) {
    // Documented rule: selecting segments.date needs a finite date range in WHERE. Which QueryErrorEnum value
    // the API uses for it is unverified; FILTER_HAS_TOO_MANY_VALUES (an unbounded date filter) is the choice.
    throw new GaqlError(
      'FILTER_HAS_TOO_MANY_VALUES',
      'Filtering on segments.date is required when segments.date is selected: a finite date range is needed.',
    );
  }
  return parsed;
}
