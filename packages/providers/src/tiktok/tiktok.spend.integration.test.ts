// The TikTok spend reader against the simulator over HTTP: rows by day, hour and province equal the spend
// truth in every kind of time zone and across DST changes; throttles, pacing and dead tokens read right.

import { completeConsent, localDateHour, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TikTokSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { type CallPacer, SPEND_GRAINS, type SpendGrain, type SpendRow, UNPACED } from '../spend.ts';
import { expectedSpendRows, sortSpendRows } from '../testing/spend-truth.ts';
import { createTikTokProvider } from './tiktok.provider.ts';
import { createTikTokSpendReader } from './tiktok.spend.ts';

const ADVERTISERS = {
  losAngeles: { id: '7000000000000000001', currency: 'USD', timezone: 'America/Los_Angeles' },
  london: { id: '7000000000000000002', currency: 'GBP', timezone: 'Europe/London' },
  tonga: { id: '7000000000000000003', currency: 'TOP', timezone: 'Pacific/Tongatapu' },
  pagoPago: { id: '7000000000000000004', currency: 'USD', timezone: 'Pacific/Pago_Pago' },
  utc: { id: '7000000000000000005', currency: 'EUR', timezone: 'UTC' },
} as const;
type Advertiser = (typeof ADVERTISERS)[keyof typeof ADVERTISERS];

const REPORT_ROUTE = 'GET /open_api/v1.3/report/integrated/get/';

let sim: RunningSimulator;
let settings: TikTokSettings;
let accessToken: string;

async function connect(simulator: RunningSimulator, accounts?: readonly string[]): Promise<string> {
  const provider = createTikTokProvider(simulatorProviderSettings(simulator.url, 'https://adsync.example').tiktok);
  const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), {
    decision: 'approve',
    ...(accounts === undefined ? {} : { accounts }),
  });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(outcome.message);
  const tokens = await provider.exchangeCode({ code: outcome.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value.accessToken;
}

beforeAll(async () => {
  // Staying under TikTok's QPS is the pacer's job (the caller's limiter), not the reader's: this simulator
  // lets bursts of tests through, and the throttle test below runs one that does not.
  sim = await startSimulator({ port: 0 }, { tiktok: { requestsPerSecond: 10_000 } });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').tiktok;
  accessToken = await connect(sim);
});
afterAll(() => sim.close());

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The simulator's truth at `grain`, as the rows a reader must return. */
function expectedRows(advertiser: Advertiser, grain: SpendGrain, from: string, to: string) {
  return expectedSpendRows(sim.url, 'tiktok', advertiser.id, { from, to, grain });
}

function read(
  advertiser: Advertiser,
  grain: SpendGrain,
  from: string,
  to: string,
  options: { pacer?: CallPacer; token?: string; readerSettings?: TikTokSettings } = {},
) {
  return createTikTokSpendReader(options.readerSettings ?? settings).read({
    accessToken: options.token ?? accessToken,
    account: { externalId: advertiser.id, currency: advertiser.currency, managerExternalId: null },
    from,
    to,
    grain,
    pacer: options.pacer ?? UNPACED,
  });
}

async function readRows(advertiser: Advertiser, grain: SpendGrain, from: string, to: string) {
  const result = await read(advertiser, grain, from, to);
  if (!result.ok) throw new Error(result.error.message);
  return sortSpendRows(result.value);
}

/** Counts `before` calls per endpoint and every usage report; answers `before` with `room`. */
function countingPacer(room = true) {
  const calls = { before: [] as string[], usage: 0 };
  const pacer: CallPacer = {
    before: async (endpoint) => {
      calls.before.push(endpoint);
      return room;
    },
    usage: async () => {
      calls.usage += 1;
    },
  };
  return { pacer, calls };
}

async function reportRequests(simulator: RunningSimulator): Promise<number> {
  const { counts } = (await (await fetch(`${simulator.url}/_control/requests`)).json()) as {
    counts: Record<string, number>;
  };
  return counts[`tiktok ${REPORT_ROUTE}`] ?? 0;
}

async function failNext(body: unknown, count = 1): Promise<void> {
  const response = await fetch(`${sim.url}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'tiktok', route: REPORT_ROUTE, status: 200, count, body }),
  });
  if (!response.ok) throw new Error(`faults answered ${response.status}`);
}

describe.each([
  ['UTC', ADVERTISERS.utc],
  ['UTC+13 (Tonga)', ADVERTISERS.tonga],
  ['UTC−11 (Pago Pago)', ADVERTISERS.pagoPago],
])('an advertiser in %s', (_zone, advertiser) => {
  it.each(SPEND_GRAINS)('reads the last 10 full local days by %s as the truth has them', async (grain) => {
    const today = localDateHour(sim.context.clock.now(), advertiser.timezone).date;
    const from = shiftDate(today, -10);
    const to = shiftDate(today, -1);
    const rows = await readRows(advertiser, grain, from, to);
    expect(rows).toEqual(await expectedRows(advertiser, grain, from, to));
    expect(new Set(rows.map((row) => row.date)).size).toBe(10);
  });
});

describe.each([
  ['Los Angeles falls back on 2026-11-01', ADVERTISERS.losAngeles, '2026-10-29', '2026-11-03', '2026-11-01'],
  ['London falls back on 2026-10-25', ADVERTISERS.london, '2026-10-23', '2026-10-27', '2026-10-25'],
])('across a DST change: %s', (_change, advertiser, from, to, changeDay) => {
  it.each(SPEND_GRAINS)('reads %s rows as the truth has them', async (grain) => {
    expect(await readRows(advertiser, grain, from, to)).toEqual(await expectedRows(advertiser, grain, from, to));
  });

  it('agrees with itself: each date’s day row is the sum of its hour rows and of its region rows', async () => {
    const [days, hours, regions] = await Promise.all(
      SPEND_GRAINS.map((grain) => readRows(advertiser, grain, from, to)),
    );
    const total = (rows: readonly SpendRow[] | undefined, date: string) =>
      (rows ?? [])
        .filter((row) => row.date === date)
        .reduce(
          (sum, row) => ({
            spendMicros: sum.spendMicros + row.spendMicros,
            impressions: sum.impressions + row.impressions,
            clicks: sum.clicks + row.clicks,
          }),
          { spendMicros: 0n, impressions: 0, clicks: 0 },
        );
    for (const day of days ?? []) {
      expect(total(hours, day.date)).toEqual(total([day], day.date));
      expect(total(regions, day.date)).toEqual(total([day], day.date));
    }
    const changeHours = (hours ?? []).filter((row) => row.date === changeDay).map((row) => row.hour);
    expect(changeHours).toEqual(Array.from({ length: 24 }, (_, hour) => hour));
  });
});

it('chunks long ranges (30 days per daily or province request, 1 per hourly) and paces every request', async () => {
  const advertiser = ADVERTISERS.losAngeles;
  const cases: [SpendGrain, string, string, number][] = [
    ['day', '2026-09-01', '2026-10-15', 2],
    ['region', '2026-09-01', '2026-10-01', 2],
    ['hour', '2026-10-01', '2026-10-03', 3],
  ];
  for (const [grain, from, to, requests] of cases) {
    const { pacer, calls } = countingPacer();
    const before = await reportRequests(sim);
    const result = await read(advertiser, grain, from, to, { pacer });
    if (!result.ok) throw new Error(result.error.message);
    expect(sortSpendRows(result.value)).toEqual(await expectedRows(advertiser, grain, from, to));
    expect(calls.before).toEqual(Array.from({ length: requests }, () => 'report'));
    expect(await reportRequests(sim)).toBe(before + requests);
    // TikTok sends no usage headers: there is nothing to report.
    expect(calls.usage).toBe(0);
  }
});

it('follows every page of a report, pacing each', async () => {
  const page = (number: number, day: string, spend: string) => ({
    code: 0,
    message: 'OK',
    request_id: `r${number}`,
    data: {
      list: [{ dimensions: { stat_time_day: `${day} 00:00:00` }, metrics: { spend, impressions: '10', clicks: '1' } }],
      page_info: { page: number, page_size: 1000, total_number: 2, total_page: 2 },
    },
  });
  await failNext(page(1, '2026-10-01', '1.5'));
  await failNext(page(2, '2026-10-02', '0.1234567'));
  const { pacer, calls } = countingPacer();
  const result = await read(ADVERTISERS.utc, 'day', '2026-10-01', '2026-10-02', { pacer });
  expect(result).toEqual({
    ok: true,
    value: [
      { date: '2026-10-01', hour: null, region: null, spendMicros: 1_500_000n, impressions: 10, clicks: 1 },
      { date: '2026-10-02', hour: null, region: null, spendMicros: 123_457n, impressions: 10, clicks: 1 },
    ],
  });
  expect(calls.before).toEqual(['report', 'report']);
});

it('a total_page past the cap fails the read after its first page, not after a thousand (issue 19)', async () => {
  await failNext({
    code: 0,
    message: 'OK',
    request_id: 'r1',
    data: { list: [], page_info: { page: 1, page_size: 1000, total_number: 1_000_000_000, total_page: 1_000_000 } },
  });
  const { pacer, calls } = countingPacer();
  const result = await read(ADVERTISERS.utc, 'day', '2026-10-01', '2026-10-02', { pacer });
  expect(result).toEqual({
    ok: false,
    error: {
      code: 'invalid_response',
      retryable: false,
      message:
        'TikTok had more than 1000 pages of a spend report; adsync stopped reading rather than keep only part of them.',
    },
  });
  expect(calls.before).toEqual(['report']);
});

it('stops with rate_limited before any request when the pacer has no room', async () => {
  const { pacer, calls } = countingPacer(false);
  const before = await reportRequests(sim);
  const result = await read(ADVERTISERS.utc, 'hour', '2026-10-01', '2026-10-05', { pacer });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ code: 'rate_limited', retryable: true });
  expect(calls.before).toEqual(['report']);
  expect(await reportRequests(sim)).toBe(before);
});

it('the app QPS limit (40100) reads as rate_limited on the app, to be retried after a second', async () => {
  const throttled = await startSimulator({ port: 0 }, { tiktok: { requestsPerSecond: 1 } });
  try {
    const token = await connect(throttled);
    const readerSettings = simulatorProviderSettings(throttled.url, 'https://adsync.example').tiktok;
    // Five hourly requests in a row: at least two share a second, and the later one is refused.
    const result = await read(ADVERTISERS.utc, 'hour', '2026-10-01', '2026-10-05', { token, readerSettings });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 1_000,
      limitScope: 'app',
      platformCode: '40100',
    });
  } finally {
    await throttled.close();
  }
});

it.each([
  {
    code: 40133,
    scope: 'account',
    message: 'Advertiser QPM limit reached. Please retry later.',
    retryAfterMs: 300_000,
  },
  { code: 40132, scope: 'endpoint', message: 'The QPS of this field value is limited.', retryAfterMs: 1_000 },
  { code: 40016, scope: 'app', message: 'Requests too frequent; the QPM limit is exceeded.', retryAfterMs: 300_000 },
] as const)(
  'throttle code $code reads as rate_limited on the $scope budget',
  async ({ code, scope, message, retryAfterMs }) => {
    await failNext({ code, message, request_id: 'r', data: {} });
    const result = await read(ADVERTISERS.utc, 'day', '2026-10-01', '2026-10-02');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs,
      limitScope: scope,
      platformCode: String(code),
    });
  },
);

it('a revoked or garbage token is invalid_grant, and the message never holds the token', async () => {
  const token = await connect(sim);
  const revoke = await fetch(`${sim.url}/_control/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'tiktok', token }),
  });
  expect(revoke.ok).toBe(true);
  for (const dead of [token, 'not-a-token']) {
    const result = await read(ADVERTISERS.utc, 'day', '2026-10-01', '2026-10-02', { token: dead });
    expect(result.ok).toBe(false);
    if (result.ok) continue;
    expect(result.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: '40105' });
    expect(result.error.message).not.toContain(dead);
  }
});

it('an advertiser outside the grant is permission_denied', async () => {
  const token = await connect(sim, [ADVERTISERS.utc.id]);
  const result = await read(ADVERTISERS.tonga, 'day', '2026-10-01', '2026-10-02', { token });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ code: 'permission_denied', platformCode: '40001' });
});

it('a malformed range is invalid_request without a call; an empty one is no rows', async () => {
  const { pacer, calls } = countingPacer();
  const malformed = await read(ADVERTISERS.utc, 'day', '2026-10-1', '2026-10-02', { pacer });
  expect(malformed.ok).toBe(false);
  if (!malformed.ok) expect(malformed.error.code).toBe('invalid_request');
  expect(await read(ADVERTISERS.utc, 'day', '2026-10-03', '2026-10-02', { pacer })).toEqual({ ok: true, value: [] });
  expect(calls.before).toEqual([]);
});
