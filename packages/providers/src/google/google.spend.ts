// Google Ads spend of one customer over a range of its local dates, by day, hour or region, read with GAQL
// through the google-ads-api package (google.ads-package.ts; providers.md §2.3). Dates and hours come back
// in the customer's time zone and cost as integer micros, so rows need no conversion, only summing.

import { err, ok } from '@adsync/errors';
import type { ProviderError, ProviderResult } from '../provider.ts';
import type { GoogleSettings } from '../settings.ts';
import { noRoomUnderLimiter, type SpendGrain, type SpendQuery, type SpendReader, type SpendRow } from '../spend.ts';
import { type AdsQueryTarget, queryGoogleAds } from './google.ads-package.ts';
import { schemaError } from './google.errors.ts';
import { geoTargetConstantRow, type SpendResultRow, spendResultRow } from './google.schemas.ts';

/** Every call is a GoogleAdsService search (stream); one name for the limiter. */
const PACER_ENDPOINT = 'search';
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CUSTOMER_ID = /^\d{10}$/;
const METRICS = 'metrics.cost_micros, metrics.impressions, metrics.clicks';
/**
 * Every geo target constant's name. Unfiltered because the simulator's GAQL has no WHERE for this resource;
 * Google answers it too, with every constant, so a reader asks at most once per region it has not seen.
 */
const GEO_TARGET_NAMES = 'SELECT geo_target_constant.resource_name, geo_target_constant.name FROM geo_target_constant';
/** A region row Google could place in no region and no country. */
const UNKNOWN_REGION = 'unknown';

function invalidRequest(message: string): ProviderError {
  return { code: 'invalid_request', message, retryable: false };
}

/** GAQL for one grain; `from` and `to` are checked dates, so quoting them is safe. */
function spendGaql(grain: SpendGrain, from: string, to: string): string {
  const range = `segments.date BETWEEN '${from}' AND '${to}'`;
  switch (grain) {
    case 'day':
      return `SELECT segments.date, ${METRICS} FROM customer WHERE ${range}`;
    case 'hour':
      return `SELECT segments.date, segments.hour, ${METRICS} FROM customer WHERE ${range}`;
    case 'region':
      // The view also splits by country and location type; rows of one (date, region) are summed below.
      return (
        'SELECT geographic_view.country_criterion_id, segments.date, segments.geo_target_region, ' +
        `${METRICS} FROM geographic_view WHERE ${range}`
      );
  }
}

/** The geo target constant a region row belongs to: its region, else its country. */
function regionResource(row: SpendResultRow): string {
  if (row.segments.geoTargetRegion !== undefined) return row.segments.geoTargetRegion;
  const country = row.geographicView?.countryCriterionId;
  return country === undefined ? UNKNOWN_REGION : `geoTargetConstants/${country}`;
}

function checkQuery(query: SpendQuery): ProviderError | undefined {
  if (!CUSTOMER_ID.test(query.account.externalId)) {
    return invalidRequest(`"${query.account.externalId}" is not a Google Ads customer id (10 digits).`);
  }
  if (query.account.managerExternalId !== null && !CUSTOMER_ID.test(query.account.managerExternalId)) {
    return invalidRequest(`"${query.account.managerExternalId}" is not a Google Ads manager id (10 digits).`);
  }
  if (!LOCAL_DATE.test(query.from) || !LOCAL_DATE.test(query.to) || query.from > query.to) {
    return invalidRequest(`"${query.from}".."${query.to}" is not a range of dates.`);
  }
  return undefined;
}

/** Sums rows that share (date, hour, region) into one SpendRow each, in date, hour, region order. */
function sumRows(
  rows: readonly SpendResultRow[],
  grain: SpendGrain,
  regionOf: (row: SpendResultRow) => string,
): SpendRow[] {
  const sums = new Map<string, { -readonly [K in keyof SpendRow]: SpendRow[K] }>();
  for (const row of rows) {
    // Proto3 JSON may leave out a zero; hour 0 is the only value that can go missing that way.
    const hour = grain === 'hour' ? (row.segments.hour ?? 0) : null;
    const region = grain === 'region' ? regionOf(row) : null;
    // Two-digit hours so the key sorts in time order.
    const key = `${row.segments.date}|${hour === null ? '' : String(hour).padStart(2, '0')}|${region ?? ''}`;
    const sum = sums.get(key) ?? { date: row.segments.date, hour, region, spendMicros: 0n, impressions: 0, clicks: 0 };
    sum.spendMicros += BigInt(row.metrics.costMicros);
    sum.impressions += Number(row.metrics.impressions);
    sum.clicks += Number(row.metrics.clicks);
    sums.set(key, sum);
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sum]) => sum);
}

export function createGoogleSpendReader(settings: GoogleSettings): SpendReader {
  /** Geo target constant resource name → name; constants are Google's, the same for every customer. */
  const regionNames = new Map<string, string>();

  async function paced(query: SpendQuery, gaql: string, action: string): Promise<ProviderResult<unknown[]>> {
    if (!(await query.pacer.before(PACER_ENDPOINT))) return err(noRoomUnderLimiter('google'));
    const target: AdsQueryTarget = {
      settings,
      accessToken: query.accessToken,
      customerId: query.account.externalId,
      loginCustomerId: query.account.managerExternalId,
    };
    return queryGoogleAds(target, gaql, action);
  }

  /** Learns the names of the given constants it does not know yet. */
  async function learnRegionNames(query: SpendQuery, resources: ReadonlySet<string>): Promise<ProviderResult<void>> {
    if ([...resources].every((resource) => resource === UNKNOWN_REGION || regionNames.has(resource))) {
      return ok(undefined);
    }
    const answer = await paced(query, GEO_TARGET_NAMES, 'name the regions of the geographic report');
    if (!answer.ok) return answer;
    for (const result of answer.value) {
      const parsed = geoTargetConstantRow.safeParse(result);
      if (!parsed.success) return err(schemaError('the geo target constant query'));
      regionNames.set(parsed.data.geoTargetConstant.resourceName, parsed.data.geoTargetConstant.name);
    }
    return ok(undefined);
  }

  return {
    provider: 'google',

    async read(query) {
      const invalid = checkQuery(query);
      if (invalid !== undefined) return err(invalid);
      const answer = await paced(
        query,
        spendGaql(query.grain, query.from, query.to),
        `report spend of customer ${query.account.externalId}`,
      );
      if (!answer.ok) return answer;
      const rows: SpendResultRow[] = [];
      for (const result of answer.value) {
        const parsed = spendResultRow.safeParse(result);
        if (!parsed.success) return err(schemaError('the spend report'));
        rows.push(parsed.data);
      }
      if (query.grain !== 'region') return ok(sumRows(rows, query.grain, regionResource));
      const learned = await learnRegionNames(query, new Set(rows.map(regionResource)));
      if (!learned.ok) return learned;
      // Unresolved constants keep their resource name, so the row is still told apart from its neighbours.
      return ok(sumRows(rows, 'region', (row) => regionNames.get(regionResource(row)) ?? regionResource(row)));
    },
  };
}
