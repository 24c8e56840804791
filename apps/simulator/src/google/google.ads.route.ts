// The Google Ads REST surface: listAccessibleCustomers and googleAds:search / :searchStream over the spend
// truth, behind bearer-token auth, login-customer-id checks and a per-customer request rate limit.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from '../core/platform.ts';
import { hexToken } from '../core/tokens.ts';
import {
  GOOGLE_CLIENT_ACCOUNTS,
  GOOGLE_DIRECT_ACCOUNTS,
  GOOGLE_MANAGER,
  type SimulatedAccount,
} from '../seed/accounts.ts';
import { REGIONS, regionByCode } from '../spend/regions.ts';
import { minorToMicros } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import { failureBody, GoogleAdsError } from './google.errors.ts';
import { GaqlError, type GaqlQuery, parseGaql } from './google.gaql.ts';
import type { GoogleGrant, GoogleState } from './google.state.ts';

const PAGE_SIZE = 10_000;
/** Google's country criterion ids for the countries simulated accounts spend in. */
const COUNTRY_CRITERIA: Record<string, number> = { US: 2840, NZ: 2554, TO: 2776, AS: 2016, GB: 2826, JP: 2392 };
const ALL_ACCOUNTS: readonly SimulatedAccount[] = [
  GOOGLE_MANAGER,
  ...GOOGLE_CLIENT_ACCOUNTS,
  ...GOOGLE_DIRECT_ACCOUNTS,
];

type Row = Record<string, Record<string, unknown>>;

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function put(row: Row, field: string, value: unknown) {
  const [resource = '', attribute = ''] = field.split('.');
  const key = camel(resource);
  const existing = row[key];
  if (existing === undefined) row[key] = { [camel(attribute)]: value };
  else existing[camel(attribute)] = value;
}

function customerValue(account: SimulatedAccount, attribute: string): unknown {
  const values: Record<string, unknown> = {
    resource_name: `customers/${account.id}`,
    id: account.id,
    descriptive_name: account.name,
    currency_code: account.currency,
    time_zone: account.timezone,
    manager: account === GOOGLE_MANAGER,
  };
  return values[attribute];
}

function authError(code: string, message: string): GoogleAdsError {
  return new GoogleAdsError(401, { authenticationError: code }, message);
}

export function googleAdsRoutes(context: SimulatorContext, state: GoogleState) {
  const windows = state.rateWindows;

  function authenticate(request: FastifyRequest): GoogleGrant {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw authError('OAUTH_TOKEN_HEADER_INVALID', 'Oauth token HTTP header is malformed.');
    const issued = state.accessToken(match[1] ?? '');
    if (issued === undefined) throw authError('OAUTH_TOKEN_INVALID', 'Oauth token is invalid.');
    if (issued.grant.revoked) throw authError('OAUTH_TOKEN_REVOKED', 'Oauth token is revoked.');
    if (issued.expiresAt <= context.clock.now()) throw authError('OAUTH_TOKEN_EXPIRED', 'Oauth token is expired.');
    return issued.grant;
  }

  function authorize(grant: GoogleGrant, cid: string, request: FastifyRequest): SimulatedAccount {
    // Malformed and unknown customer ids are authenticationError values per providers.md §2.4 (401).
    if (!/^\d{10}$/.test(cid)) throw authError('CLIENT_CUSTOMER_ID_INVALID', 'The customer ID provided is not valid.');
    const account = ALL_ACCOUNTS.find((candidate) => candidate.id === cid);
    if (account === undefined) throw authError('CUSTOMER_NOT_FOUND', 'No customer found for the provided customer id.');
    const loginHeader = request.headers['login-customer-id'];
    const login = typeof loginHeader === 'string' ? loginHeader.replace(/-/g, '') : undefined;
    const isClient = GOOGLE_CLIENT_ACCOUNTS.includes(account);
    const denied = () =>
      new GoogleAdsError(
        403,
        { authorizationError: 'USER_PERMISSION_DENIED' },
        "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
      );
    if (isClient) {
      if (login !== GOOGLE_MANAGER.id || !grant.customerIds.includes(GOOGLE_MANAGER.id)) throw denied();
    } else if (!grant.customerIds.includes(cid) || (login !== undefined && login !== cid)) {
      throw denied();
    }
    return account;
  }

  function countRequest(cid: string) {
    const now = context.clock.now();
    const window = Math.floor(now / 60_000);
    const current = windows.get(cid);
    const entry = current !== undefined && current.window === window ? current : { window, count: 0 };
    entry.count += 1;
    windows.set(cid, entry);
    if (entry.count <= context.options.google.requestsPerCustomerPerMinute) return;
    const retrySeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    throw new GoogleAdsError(
      429,
      { quotaError: 'RESOURCE_EXHAUSTED' },
      'Too many requests. Retry in 30 seconds.'.replace('30', String(retrySeconds)),
      { quotaErrorDetails: { rateScope: 'ACCOUNT', rateName: 'Requests per account', retryDelay: `${retrySeconds}s` } },
    );
  }

  function reportRows(account: SimulatedAccount, query: GaqlQuery): Row[] {
    const fields = query.fields;
    const selects = (field: string) => fields.includes(field);
    const geographic = query.resource === 'geographic_view' || query.resource === 'user_location_view';
    // Worked out once, not per cell: a report groups thousands of cells.
    const byDate = selects('segments.date');
    const byHour = selects('segments.hour');
    const byRegion = selects('segments.geo_target_region');
    const hasSegment = byDate || byHour || byRegion;
    // Without a date filter and without date segments, Google reports the whole account lifetime; the spend
    // truth starts with the simulation, so the last 90 days stand for it.
    const dates = query.dates ?? lastDays(account, 90);
    const cells = spendCells('google', account, dates, context.clock.now()).filter(
      (cell) => query.hour === undefined || cell.hour === query.hour,
    );
    const groups = sumCells(
      cells,
      (cell) =>
        `${byDate ? cell.date : ''}|${byHour ? cell.hour : ''}|${byRegion ? cell.regionCode : ''}|${geographic ? regionByCode(cell.regionCode).country : ''}`,
    );
    const entries = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    // An unsegmented customer query always answers one row, zero metrics included.
    if (entries.length === 0 && !hasSegment && !geographic)
      entries.push(['|||', { spendMinor: 0, impressions: 0, clicks: 0 }]);
    return entries.map(([key, total]) => {
      const [date = '', hour = '', regionCode = '', country = ''] = key.split('|');
      const row: Row = {};
      for (const field of fields) {
        const [resource = '', attribute = ''] = field.split('.');
        if (resource === 'customer') put(row, field, customerValue(account, attribute));
        else if (field === 'metrics.cost_micros')
          put(row, field, minorToMicros(total.spendMinor, account.currency).toString());
        else if (field === 'metrics.impressions') put(row, field, String(total.impressions));
        else if (field === 'metrics.clicks') put(row, field, String(total.clicks));
        else if (field === 'segments.date') put(row, field, date);
        else if (field === 'segments.hour') put(row, field, Number(hour));
        else if (field === 'segments.geo_target_region') {
          put(row, field, `geoTargetConstants/${regionByCode(regionCode).googleGeoTargetId}`);
        } else put(row, field, geoValue(account, query.resource, attribute, country));
      }
      return row;
    });
  }

  function lastDays(account: SimulatedAccount, count: number): string[] {
    const dates: string[] = [];
    const now = context.clock.now();
    for (let offset = count - 1; offset >= 0; offset -= 1) {
      dates.push(new Date(now - offset * 86_400_000).toLocaleDateString('en-CA', { timeZone: account.timezone }));
    }
    return [...new Set(dates)];
  }

  function geoValue(account: SimulatedAccount, resource: string, attribute: string, country: string): unknown {
    const criterion = COUNTRY_CRITERIA[country] ?? 0;
    // The simulator's spend truth has no presence/interest split: all of it is physical presence.
    if (resource === 'geographic_view') {
      if (attribute === 'resource_name')
        return `customers/${account.id}/geographicViews/${criterion}~LOCATION_OF_PRESENCE`;
      if (attribute === 'country_criterion_id') return String(criterion);
      return 'LOCATION_OF_PRESENCE';
    }
    if (attribute === 'resource_name') return `customers/${account.id}/userLocationViews/${criterion}~true`;
    if (attribute === 'country_criterion_id') return String(criterion);
    return true;
  }

  function listingRows(account: SimulatedAccount, query: GaqlQuery): Row[] {
    if (query.resource === 'geo_target_constant') {
      return REGIONS.map((region) => {
        const row: Row = {};
        const values: Record<string, unknown> = {
          resource_name: `geoTargetConstants/${region.googleGeoTargetId}`,
          id: String(region.googleGeoTargetId),
          name: region.name,
          country_code: region.country,
        };
        for (const field of query.fields) put(row, field, values[field.split('.')[1] ?? '']);
        return row;
      });
    }
    const clients = account === GOOGLE_MANAGER ? [account, ...GOOGLE_CLIENT_ACCOUNTS] : [account];
    return clients.map((client) => {
      const row: Row = {};
      for (const field of query.fields) {
        const attribute = field.split('.')[1] ?? '';
        const values: Record<string, unknown> = {
          resource_name: `customers/${account.id}/customerClients/${client.id}`,
          client_customer: `customers/${client.id}`,
          level: client === account ? '0' : '1',
        };
        put(row, field, attribute in values ? values[attribute] : customerValue(client, attribute));
      }
      return row;
    });
  }

  function runQuery(request: FastifyRequest, cid: string) {
    const grant = authenticate(request);
    const account = authorize(grant, cid, request);
    countRequest(cid);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.query !== 'string' || body.query.trim() === '') {
      throw new GoogleAdsError(
        400,
        { queryError: 'UNEXPECTED_END_OF_QUERY' },
        'Error in query: unexpected end of query.',
      );
    }
    let query: GaqlQuery;
    try {
      query = parseGaql(body.query, context.clock.now(), account.timezone);
    } catch (error) {
      if (error instanceof GaqlError) throw new GoogleAdsError(400, { queryError: error.code }, error.message);
      throw error;
    }
    const rows = ['customer', 'geographic_view', 'user_location_view'].includes(query.resource)
      ? reportRows(account, query)
      : listingRows(account, query);
    const fieldMask = query.fields.map((field) => field.split('.').map(camel).join('.')).join(',');
    return { rows, fieldMask, body };
  }

  return async (app: FastifyInstance) => {
    app.route({
      method: ['GET', 'POST'],
      url: '/ads/*',
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const path = (request.params as { '*': string })['*'];
        const version = /^(v\d+(?:_\d+)?)\//.exec(path)?.[1];
        const stream = path.endsWith(':searchStream');
        try {
          if (version === undefined)
            return reply.status(404).send({ error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
          if (request.method === 'GET' && path === `${version}/customers:listAccessibleCustomers`) {
            const grant = authenticate(request);
            return { resourceNames: grant.customerIds.map((id) => `customers/${id}`) };
          }
          const match = /^v\d+(?:_\d+)?\/customers\/([^/]+)\/googleAds:(search|searchStream)$/.exec(path);
          if (request.method !== 'POST' || match === null) {
            return reply.status(404).send({ error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
          }
          const { rows, fieldMask, body } = runQuery(request, match[1] ?? '');
          const requestId = hexToken(11);
          if (stream) {
            const batches = [];
            for (let start = 0; start < rows.length || start === 0; start += PAGE_SIZE) {
              batches.push({ results: rows.slice(start, start + PAGE_SIZE), fieldMask, requestId });
            }
            return batches;
          }
          const offset = pageOffset(body.pageToken);
          const page = rows.slice(offset, offset + PAGE_SIZE);
          const settings = (body.searchSettings ?? {}) as Record<string, unknown>;
          return {
            results: page,
            ...(offset + PAGE_SIZE < rows.length
              ? { nextPageToken: Buffer.from(String(offset + PAGE_SIZE)).toString('base64url') }
              : {}),
            ...(settings.returnTotalResultsCount === true ? { totalResultsCount: String(rows.length) } : {}),
            fieldMask,
            requestId,
            queryResourceConsumption: String(Math.max(1, rows.length)),
          };
        } catch (error) {
          if (!(error instanceof GoogleAdsError)) throw error;
          const failure = failureBody(error, version ?? 'v26');
          return reply.status(error.httpStatus).send(stream ? [failure] : failure);
        }
      },
    });
  };
}

function pageOffset(token: unknown): number {
  if (token === undefined || token === '') return 0;
  const offset = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString('utf8')) : Number.NaN;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new GoogleAdsError(400, { requestError: 'INVALID_PAGE_TOKEN' }, 'Page token is invalid.');
  }
  return offset;
}
