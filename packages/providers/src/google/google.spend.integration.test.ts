// The Google spend reader against the simulator over real HTTP, through the real google-ads-api package: rows
// at every grain equal the simulator's truth for accounts in UTC, UTC+13, UTC−11 and across DST changes, and
// throttling, pacing, revoked tokens, wrong managers and dead hosts come back as the right ProviderErrors.

import { createPkcePair } from '@adsync/crypto';
import { completeConsent, datesBetween, localDateHour, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderResult } from '../provider.ts';
import type { GoogleSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import {
  type CallPacer,
  SPEND_GRAINS,
  type SpendAccount,
  type SpendGrain,
  type SpendQuery,
  type SpendRow,
  UNPACED,
} from '../spend.ts';
import { expectedSpendRows, sortSpendRows } from '../testing/spend-truth.ts';
import { createGoogleProvider } from './google.provider.ts';
import { createGoogleSpendReader } from './google.spend.ts';

const MANAGER = '9000000001';
/** The simulator's Ads route, as its request counter names it. */
const ADS_ROUTE = 'google POST /ads/*';

const UTC_VIA_MANAGER: SpendAccount = { externalId: '1000000016', currency: 'EUR', managerExternalId: MANAGER };
const TONGA: SpendAccount = { externalId: '1000000013', currency: 'TOP', managerExternalId: MANAGER };
const PAGO_PAGO: SpendAccount = { externalId: '1000000014', currency: 'USD', managerExternalId: MANAGER };
const LONDON_DIRECT: SpendAccount = { externalId: '1000000015', currency: 'GBP', managerExternalId: null };
const NEW_YORK: SpendAccount = { externalId: '1000000011', currency: 'USD', managerExternalId: MANAGER };

let sim: RunningSimulator;
let settings: GoogleSettings;
/** Granted every account the consent page offers (the manager and the direct customer). */
let accessToken: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').google;
  accessToken = (await connect(settings)).accessToken;
});
afterAll(() => sim.close());

/** Consent through the simulator's page and the code exchange, as google.provider.integration.test does. */
async function connect(google: GoogleSettings, accounts?: readonly string[]) {
  const provider = createGoogleProvider(google);
  const pkce = createPkcePair();
  const url = provider.authorizationUrl({ state: 'spend', codeChallenge: pkce.challenge });
  const landed = await completeConsent(url, { decision: 'approve', ...(accounts === undefined ? {} : { accounts }) });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(`expected a code, got ${outcome.kind}: ${outcome.message}`);
  const tokens = await provider.exchangeCode({ code: outcome.code, codeVerifier: pkce.verifier });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value;
}

async function control(simulator: RunningSimulator, path: string, body: unknown) {
  const response = await fetch(`${simulator.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function adsRequestCount(simulator: RunningSimulator): Promise<number> {
  const answer = (await (await fetch(`${simulator.url}/_control/requests`)).json()) as {
    counts: Record<string, number>;
  };
  return answer.counts[ADS_ROUTE] ?? 0;
}

function spendQuery(
  account: SpendAccount,
  from: string,
  to: string,
  grain: SpendGrain,
  extra: Partial<SpendQuery> = {},
) {
  return { accessToken, account, from, to, grain, pacer: UNPACED, ...extra } satisfies SpendQuery;
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The ten local dates before today: finished days, whose spend no longer moves while a test runs. */
function lastTenDays(timeZone: string): { from: string; to: string } {
  const today = localDateHour(Date.now(), timeZone).date;
  return { from: shiftDate(today, -10), to: shiftDate(today, -1) };
}

function rowsOf(result: ProviderResult<SpendRow[]>): SpendRow[] {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const TEN_DAY_CASES = [
  { label: 'UTC, through a manager', account: UTC_VIA_MANAGER, timeZone: 'UTC' },
  { label: 'Pacific/Tongatapu (UTC+13)', account: TONGA, timeZone: 'Pacific/Tongatapu' },
  { label: 'Pacific/Pago_Pago (UTC−11)', account: PAGO_PAGO, timeZone: 'Pacific/Pago_Pago' },
];

const DST_CASES = [
  // Europe falls back on 2026-10-25; this customer is reached directly, without login-customer-id.
  { label: 'Europe/London across 2026-10-25, direct', account: LONDON_DIRECT, from: '2026-10-21', to: '2026-10-28' },
  { label: 'America/New_York across 2026-11-01', account: NEW_YORK, from: '2026-10-28', to: '2026-11-04' },
];

describe.each(SPEND_GRAINS)('%s rows equal the simulator’s truth', (grain) => {
  it.each(TEN_DAY_CASES)('the last ten days, $label', async ({ account, timeZone }) => {
    const { from, to } = lastTenDays(timeZone);
    const rows = rowsOf(await createGoogleSpendReader(settings).read(spendQuery(account, from, to, grain)));
    const truth = await expectedSpendRows(sim.url, 'google', account.externalId, { from, to, grain });
    expect(new Set(truth.map((row) => row.date)).size).toBe(10);
    expect(sortSpendRows(rows)).toEqual(truth);
  });

  it.each(DST_CASES)('$label', async ({ account, from, to }) => {
    const rows = rowsOf(await createGoogleSpendReader(settings).read(spendQuery(account, from, to, grain)));
    const truth = await expectedSpendRows(sim.url, 'google', account.externalId, { from, to, grain });
    expect(new Set(truth.map((row) => row.date))).toEqual(new Set(datesBetween(from, to)));
    expect(sortSpendRows(rows)).toEqual(truth);
  });
});

it('day, hour and region rows of a date describe the same spend', async () => {
  const reader = createGoogleSpendReader(settings);
  const { from, to } = lastTenDays('UTC');
  const totals = async (grain: SpendGrain) => {
    const byDate = new Map<string, bigint>();
    for (const row of rowsOf(await reader.read(spendQuery(UTC_VIA_MANAGER, from, to, grain)))) {
      byDate.set(row.date, (byDate.get(row.date) ?? 0n) + row.spendMicros);
    }
    return byDate;
  };
  const day = await totals('day');
  expect([...day.values()].some((micros) => micros > 0n)).toBe(true);
  expect(await totals('hour')).toEqual(day);
  expect(await totals('region')).toEqual(day);
});

describe('pacing', () => {
  function countingPacer(answer: boolean): CallPacer & { endpoints: string[] } {
    const endpoints: string[] = [];
    return {
      endpoints,
      before: async (endpoint) => {
        endpoints.push(endpoint);
        return answer;
      },
      usage: async () => undefined,
    };
  }

  it('asks the pacer once per request, region names once per reader', async () => {
    const reader = createGoogleSpendReader(settings);
    const pacer = countingPacer(true);
    const { from, to } = lastTenDays('UTC');
    const before = await adsRequestCount(sim);
    // The first region read also looks up the geo target names; the second knows them.
    for (const grain of ['region', 'region', 'day', 'hour'] as const) {
      rowsOf(await reader.read(spendQuery(UTC_VIA_MANAGER, from, to, grain, { pacer })));
    }
    expect(pacer.endpoints).toEqual(['search', 'search', 'search', 'search', 'search']);
    expect((await adsRequestCount(sim)) - before).toBe(5);
  });

  it('a pacer without room stops the reader with rate_limited before any request', async () => {
    const pacer = countingPacer(false);
    const before = await adsRequestCount(sim);
    const result = await createGoogleSpendReader(settings).read(
      spendQuery(UTC_VIA_MANAGER, '2026-11-01', '2026-11-10', 'region', { pacer }),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'rate_limited', retryable: true } });
    expect(pacer.endpoints).toEqual(['search']);
    expect(await adsRequestCount(sim)).toBe(before);
  });
});

describe('throttling', () => {
  let throttled: RunningSimulator;
  let throttledSettings: GoogleSettings;

  beforeAll(async () => {
    throttled = await startSimulator({ port: 0 }, { google: { requestsPerCustomerPerMinute: 2 } });
    throttledSettings = simulatorProviderSettings(throttled.url, 'https://adsync.example').google;
  });
  afterAll(() => throttled.close());

  it('Google’s per-customer quota is rate_limited for the account, with retryDelay as retryAfterMs', async () => {
    const token = (await connect(throttledSettings)).accessToken;
    const reader = createGoogleSpendReader(throttledSettings);
    // Two requests a minute: the third is refused, unless a minute turns between them (then the fifth is).
    let result: ProviderResult<SpendRow[]> | undefined;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      result = await reader.read(
        spendQuery(UTC_VIA_MANAGER, '2026-11-10', '2026-11-12', 'day', { accessToken: token }),
      );
      if (!result.ok) break;
    }
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'rate_limited',
        retryable: true,
        limitScope: 'account',
        platformCode: 'quotaError.RESOURCE_EXHAUSTED',
      },
    });
    const retryAfterMs = result?.ok === false ? result.error.retryAfterMs : undefined;
    expect(retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('a quota that is not the account’s is rate_limited for the app', async () => {
    await control(sim, 'faults', {
      platform: 'google',
      route: 'POST /ads/*/googleAds:searchStream',
      count: 1,
      status: 429,
      // searchStream answers errors as a JSON array (providers.md §2.4).
      body: [
        {
          error: {
            code: 429,
            message: 'Resource has been exhausted (e.g. check quota).',
            status: 'RESOURCE_EXHAUSTED',
            details: [
              {
                '@type': 'type.googleapis.com/google.ads.googleads.v23.errors.GoogleAdsFailure',
                errors: [
                  {
                    errorCode: { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' },
                    message: 'Too many requests.',
                    details: { quotaErrorDetails: { rateScope: 'DEVELOPER', retryDelay: '12s' } },
                  },
                ],
              },
            ],
          },
        },
      ],
    });
    const result = await createGoogleSpendReader(settings).read(spendQuery(TONGA, '2026-11-10', '2026-11-12', 'day'));
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'rate_limited',
        message: 'Google Ads refused to report spend of customer 1000000013: Too many requests',
        retryable: true,
        retryAfterMs: 12_000,
        limitScope: 'app',
        platformCode: 'quotaError.RESOURCE_TEMPORARILY_EXHAUSTED',
      },
    });
  });

  it('readers for two simulators run at once in one process, each reaching its own', async () => {
    const token = (await connect(throttledSettings)).accessToken;
    const [here, there] = await Promise.all([
      createGoogleSpendReader(settings).read(spendQuery(PAGO_PAGO, '2026-11-10', '2026-11-12', 'day')),
      createGoogleSpendReader(throttledSettings).read(
        spendQuery(PAGO_PAGO, '2026-11-10', '2026-11-12', 'day', { accessToken: token }),
      ),
    ]);
    // Each token is only known to the simulator that issued it: a request sent to the other one would fail.
    expect(rowsOf(here)).toEqual(rowsOf(there));
    expect(rowsOf(here)).toHaveLength(3);
  });
});

describe('refusals', () => {
  it('a revoked grant is invalid_grant and the message names no token', async () => {
    const tokens = await connect(settings);
    await control(sim, 'revoke', { platform: 'google', token: tokens.refreshToken });
    const result = await createGoogleSpendReader(settings).read(
      spendQuery(UTC_VIA_MANAGER, '2026-11-10', '2026-11-12', 'hour', { accessToken: tokens.accessToken }),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_grant', retryable: false, platformCode: 'authenticationError.OAUTH_TOKEN_REVOKED' },
    });
    if (result.ok) return;
    expect(result.error.message).not.toContain(tokens.accessToken);
  });

  it('an expired access token is invalid_grant', async () => {
    const tokens = await connect(settings);
    await control(sim, 'expire', { platform: 'google', token: tokens.accessToken });
    const result = await createGoogleSpendReader(settings).read(
      spendQuery(LONDON_DIRECT, '2026-11-10', '2026-11-12', 'day', { accessToken: tokens.accessToken }),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_grant', platformCode: 'authenticationError.OAUTH_TOKEN_EXPIRED' },
    });
  });

  it('a client account read without its manager as login-customer-id is permission_denied', async () => {
    const result = await createGoogleSpendReader(settings).read(
      spendQuery({ ...UTC_VIA_MANAGER, managerExternalId: null }, '2026-11-10', '2026-11-12', 'day'),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'permission_denied', retryable: false, platformCode: 'authorizationError.USER_PERMISSION_DENIED' },
    });
  });

  it('concurrent reads with different grants and accounts keep their own token and headers', async () => {
    // This grant reaches the direct customer only, not the manager's clients.
    const directOnly = (await connect(settings, ['1000000015'])).accessToken;
    const reader = createGoogleSpendReader(settings);
    const range = ['2026-11-10', '2026-11-12'] as const;
    const [viaManager, deniedViaManager, direct, directWithOtherGrant] = await Promise.all([
      reader.read(spendQuery(UTC_VIA_MANAGER, ...range, 'day')),
      reader.read(spendQuery(UTC_VIA_MANAGER, ...range, 'day', { accessToken: directOnly })),
      reader.read(spendQuery(LONDON_DIRECT, ...range, 'region')),
      reader.read(spendQuery(LONDON_DIRECT, ...range, 'region', { accessToken: directOnly })),
    ]);
    const [from, to] = range;
    const truth = (account: SpendAccount, grain: SpendGrain) =>
      expectedSpendRows(sim.url, 'google', account.externalId, { from, to, grain });
    expect(sortSpendRows(rowsOf(viaManager))).toEqual(await truth(UTC_VIA_MANAGER, 'day'));
    expect(deniedViaManager).toMatchObject({ ok: false, error: { code: 'permission_denied' } });
    const londonTruth = await truth(LONDON_DIRECT, 'region');
    expect(sortSpendRows(rowsOf(direct))).toEqual(londonTruth);
    expect(sortSpendRows(rowsOf(directWithOtherGrant))).toEqual(londonTruth);
  });

  it('an unreachable Ads host is unavailable', async () => {
    const closed = await startSimulator({ port: 0 });
    const closedSettings = simulatorProviderSettings(closed.url, 'https://adsync.example').google;
    await closed.close();
    const result = await createGoogleSpendReader(closedSettings).read(
      spendQuery(UTC_VIA_MANAGER, '2026-11-10', '2026-11-12', 'day'),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
  });

  it('a malformed range or customer id is refused before any request', async () => {
    const before = await adsRequestCount(sim);
    const reader = createGoogleSpendReader(settings);
    const badRange = await reader.read(spendQuery(UTC_VIA_MANAGER, "2026-11-10' OR ''='", '2026-11-12', 'day'));
    const reversed = await reader.read(spendQuery(UTC_VIA_MANAGER, '2026-11-12', '2026-11-10', 'day'));
    const badId = await reader.read(
      spendQuery({ ...UTC_VIA_MANAGER, externalId: '100-000-0016' }, '2026-11-10', '2026-11-12', 'day'),
    );
    for (const result of [badRange, reversed, badId]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false } });
    }
    expect(await adsRequestCount(sim)).toBe(before);
  });
});
