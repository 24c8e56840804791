// The Meta spend reader against the simulator over HTTP: rows equal the simulator's spend truth for every
// grain and time zone (DST included), failed and stalled report runs are split, throttling, pacing and
// revoked tokens come back as the right ProviderErrors.

import { localDateHour, META_ACCOUNTS, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MetaSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import {
  type CallPacer,
  SPEND_GRAINS,
  type SpendGrain,
  type SpendQuery,
  type SpendRow,
  UNPACED,
  type UsageSignal,
} from '../spend.ts';
import { startRequestTrap } from '../testing/request-trap.ts';
import { expectedSpendRows } from '../testing/spend-truth.ts';
import { createMetaProvider } from './meta.provider.ts';
import { createMetaSpendReader, type MetaSpendOptions } from './meta.spend.ts';

/** Short runs and polls so a read takes a fraction of a second; no healthy run stalls for 5 s. */
const RUN_MS = 150;
const FAST: MetaSpendOptions = { pollIntervalMs: 20, maxPollIntervalMs: 100, stallAfterMs: 5_000 };
const UTC = 'act_1000000005';
const TONGA = 'act_1000000003';
const PAGO_PAGO = 'act_1000000004';
const LOS_ANGELES = 'act_1000000001';
const START_RUN = 'meta POST /graph/:version/:node/insights';
/** Both a run's rows and a synchronous read: the node is a run id or an ad account. */
const READ_INSIGHTS = 'meta GET /graph/:version/:node/insights';

let sim: RunningSimulator;
let settings: MetaSettings;
let token: string;

async function control(url: string, path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** A long-lived token for every account, through the dialog's scripted approval and the real exchange. */
async function accessToken(url: string, local: MetaSettings): Promise<string> {
  const { result } = (await control(url, 'meta/authorize', { redirect_uri: local.redirectUri })) as {
    result: { code: string };
  };
  const tokens = await createMetaProvider(local).exchangeCode({ code: result.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value.accessToken;
}

function spendQuery(
  accountId: string,
  from: string,
  to: string,
  grain: SpendGrain,
  extra: Partial<SpendQuery> = {},
): SpendQuery {
  const account = META_ACCOUNTS.find((candidate) => candidate.id === accountId);
  if (account === undefined) throw new Error(`no ${accountId}`);
  return {
    accessToken: token,
    account: { externalId: accountId, currency: account.currency, managerExternalId: null },
    from,
    to,
    grain,
    pacer: UNPACED,
    ...extra,
  };
}

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function localToday(accountId: string): string {
  const account = META_ACCOUNTS.find((candidate) => candidate.id === accountId);
  return localDateHour(Date.now(), account?.timezone ?? 'UTC').date;
}

/** The simulator's own cells summed to the grain, as the reader must return them (in this order). */
function truth(query: SpendQuery): Promise<SpendRow[]> {
  const { account, from, to, grain } = query;
  return expectedSpendRows(sim.url, 'meta', account.externalId, { from, to, grain });
}

/**
 * Reads and compares with the truth taken just before and just after: today's rows grow when a local hour
 * starts, so the read equals whichever of the two its report was computed at.
 */
async function expectReadEqualsTruth(query: SpendQuery, options: MetaSpendOptions = FAST): Promise<SpendRow[]> {
  const before = await truth(query);
  const read = await createMetaSpendReader(settings, options).read(query);
  const after = await truth(query);
  if (!read.ok) throw new Error(`${read.error.code}: ${read.error.message}`);
  expect(read.value.length).toBeGreaterThan(0);
  if (JSON.stringify(read.value, bigints) !== JSON.stringify(after, bigints)) expect(read.value).toEqual(before);
  return read.value;
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Requests the simulator counted per `platform METHOD route` (status-less keys only). */
async function requestCounts(url: string = sim.url): Promise<Record<string, number>> {
  const { counts } = (await (await fetch(`${url}/_control/requests`)).json()) as { counts: Record<string, number> };
  return Object.fromEntries(Object.entries(counts).filter(([key]) => key.split(' ').length === 3));
}

function metaRequests(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([key]) => key.startsWith('meta '))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** Counts `before` calls and keeps every usage signal, in order. */
function countingPacer(room = true): CallPacer & { befores: string[]; signals: UsageSignal[] } {
  const befores: string[] = [];
  const signals: UsageSignal[] = [];
  return {
    befores,
    signals,
    async before(endpoint) {
      befores.push(endpoint);
      return room;
    },
    async usage(signal) {
      signals.push(signal);
    },
  };
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }, { meta: { asyncRunMilliseconds: RUN_MS } });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').meta;
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control(sim.url, 'reset');
  token = await accessToken(sim.url, settings);
});

describe('rows equal the spend truth', () => {
  it.each([
    [UTC, 'UTC'],
    [TONGA, 'Pacific/Tongatapu (UTC+13)'],
    [PAGO_PAGO, 'Pacific/Pago_Pago (UTC−11)'],
    [LOS_ANGELES, 'America/Los_Angeles'],
  ])('%s (%s): day, hour and region over the last 10 local days, today included', async (accountId) => {
    const to = localToday(accountId);
    for (const grain of SPEND_GRAINS) {
      const rows = await expectReadEqualsTruth(spendQuery(accountId, shiftDays(to, -9), to, grain));
      expect(rows.every((row) => row.date >= shiftDays(to, -9) && row.date <= to)).toBe(true);
    }
  });

  it('Los Angeles across the fall-back on 2026-11-01: 24 hour labels that day, every grain equal', async () => {
    for (const grain of SPEND_GRAINS) {
      const rows = await expectReadEqualsTruth(spendQuery(LOS_ANGELES, '2026-10-28', '2026-11-04', grain));
      if (grain === 'hour') {
        const fallBack = rows.filter((row) => row.date === '2026-11-01').map((row) => row.hour);
        expect(fallBack).toEqual([...Array(24).keys()]);
      }
    }
  });

  it('a range longer than one run is chunked, and pages past the first are read', async () => {
    const to = shiftDays(localToday(UTC), -1);
    const from = shiftDays(to, -39);
    const rows = await expectReadEqualsTruth(spendQuery(UTC, from, to, 'hour'));
    expect(rows).toHaveLength(40 * 24);
    const counts = await requestCounts();
    // 40 days → runs of 31 and 9 days; 744 hourly rows are two pages of 500.
    expect(counts[START_RUN]).toBe(2);
    expect(counts[READ_INSIGHTS]).toBe(3);
  });
});

describe('the progress watchdog', () => {
  const fourDays = () => {
    const to = shiftDays(localToday(UTC), -1);
    return [shiftDays(to, -3), to] as const;
  };

  it('a stalled run is abandoned and its range split in two; the rows still equal the truth', async () => {
    await control(sim.url, 'meta/stall-report-runs', { count: 1 });
    const [from, to] = fourDays();
    await expectReadEqualsTruth(spendQuery(UTC, from, to, 'region'), { ...FAST, stallAfterMs: 400 });
    expect((await requestCounts())[START_RUN]).toBe(3);
  });

  it('a failed run is split in two and the halves complete', async () => {
    await control(sim.url, 'meta/fail-report-runs', { count: 1 });
    const [from, to] = fourDays();
    await expectReadEqualsTruth(spendQuery(UTC, from, to, 'day'));
    const counts = await requestCounts();
    expect(counts[START_RUN]).toBe(3);
    expect(counts[READ_INSIGHTS]).toBe(2);
  });

  it('single days whose runs keep failing are read synchronously', async () => {
    await control(sim.url, 'meta/fail-report-runs', { count: 3 });
    const to = shiftDays(localToday(UTC), -1);
    await expectReadEqualsTruth(spendQuery(UTC, shiftDays(to, -1), to, 'hour'));
    const counts = await requestCounts();
    // One 2-day run and two 1-day runs, all failed; no run was read, so both reads are synchronous.
    expect(counts[START_RUN]).toBe(3);
    expect(counts[READ_INSIGHTS]).toBe(2);
  });

  it('when the synchronous last resort fails too, its error is returned', async () => {
    await control(sim.url, 'meta/fail-report-runs', { count: 1 });
    await control(sim.url, 'faults', {
      platform: 'meta',
      route: `GET /graph/v25.0/${UTC}/insights`,
      status: 500,
      body: { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 } },
    });
    const day = shiftDays(localToday(UTC), -1);
    const read = await createMetaSpendReader(settings, FAST).read(spendQuery(UTC, day, day, 'day'));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toMatchObject({ code: 'unavailable', retryable: true, platformCode: '2' });
    expect((await requestCounts())[READ_INSIGHTS]).toBe(1);
  });

  it('an aborted signal stops the polling', async () => {
    await control(sim.url, 'meta/stall-report-runs', { count: 1 });
    const day = shiftDays(localToday(UTC), -1);
    const started = Date.now();
    const read = await createMetaSpendReader(settings, FAST).read(
      spendQuery(UTC, day, day, 'day', { signal: AbortSignal.timeout(300) }),
    );
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.code).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('pacing, usage and throttling', () => {
  it('the pacer is asked once per HTTP request, always for `insights`, and hears the usage headers', async () => {
    const pacer = countingPacer();
    const before = metaRequests(await requestCounts());
    const to = localToday(UTC);
    await expectReadEqualsTruth(spendQuery(UTC, shiftDays(to, -24), to, 'hour', { pacer }));
    const made = metaRequests(await requestCounts()) - before;
    expect(made).toBeGreaterThanOrEqual(4);
    expect(pacer.befores).toHaveLength(made);
    expect(new Set(pacer.befores)).toEqual(new Set(['insights']));
    // Under the default budgets the percentages round to 0, but every response states them.
    expect(pacer.signals.some((signal) => signal.scope === 'account')).toBe(true);
    expect(pacer.signals.some((signal) => signal.scope === 'app')).toBe(true);
  });

  it('a pacer without room stops the read with rate_limited before anything reaches Meta', async () => {
    const before = await requestCounts();
    const day = localToday(UTC);
    const read = await createMetaSpendReader(settings, FAST).read(
      spendQuery(UTC, day, day, 'day', { pacer: countingPacer(false) }),
    );
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(await requestCounts()).toEqual(before);
  });

  /** Reads today's UTC day from a fresh simulator under Meta `limits`; the read must be refused. */
  async function readThrottled(limits: { callsPerAccountPerHour?: number; callsPerAppPerHour?: number }) {
    const throttled = await startSimulator({ port: 0 }, { meta: { ...limits, asyncRunMilliseconds: RUN_MS } });
    try {
      const local = simulatorProviderSettings(throttled.url, 'https://adsync.example').meta;
      token = await accessToken(throttled.url, local);
      const pacer = countingPacer();
      const day = localToday(UTC);
      const read = await createMetaSpendReader(local, FAST).read(spendQuery(UTC, day, day, 'day', { pacer }));
      if (read.ok) throw new Error('the read was not refused');
      return { error: read.error, signals: pacer.signals };
    } finally {
      await throttled.close();
    }
  }

  it('an ad account over its BUC budget is rate_limited for the account, after a usage signal at 100%', async () => {
    const { error, signals } = await readThrottled({ callsPerAccountPerHour: 2 });
    expect(error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      limitScope: 'account',
      platformCode: '80000/2446079',
    });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    const accountSignals = signals.filter((signal) => signal.scope === 'account');
    expect(accountSignals.at(0)?.percentUsed).toBe(50);
    expect(accountSignals.some((signal) => signal.percentUsed >= 100)).toBe(true);
    expect(accountSignals.at(-1)?.regainAccessInMs).toBeGreaterThan(0);
  });

  it('the app over its request limit (code 4) is rate_limited for the app', async () => {
    // The code exchange makes three Graph calls; the fourth starts the run and the fifth is refused.
    const { error, signals } = await readThrottled({ callsPerAppPerHour: 4 });
    expect(error).toMatchObject({ code: 'rate_limited', limitScope: 'app', platformCode: '4' });
    expect(signals.some((signal) => signal.scope === 'app' && signal.percentUsed >= 100)).toBe(true);
  });
});

describe('paging (issue 19)', () => {
  it('an Insights page whose paging.next leaves the Graph host ends the read; nothing reaches that host', async () => {
    const trap = await startRequestTrap();
    try {
      await control(sim.url, 'faults', {
        platform: 'meta',
        route: 'GET /graph/v25.0/*/insights',
        status: 200,
        body: { data: [], paging: { next: `${trap.url}/v25.0/act_1000000005/insights?after=MjQZD` } },
      });
      const day = shiftDays(localToday(UTC), -1);
      const read = await createMetaSpendReader(settings, FAST).read(spendQuery(UTC, day, day, 'day'));
      expect(read.ok).toBe(false);
      if (read.ok) return;
      expect(read.error).toMatchObject({ code: 'invalid_response', retryable: false });
      expect(read.error.message).toContain(`Meta gave a next-page link for Insights rows on another host`);
      expect(trap.requests).toEqual([]);
    } finally {
      await trap.close();
    }
  });

  it('a report with more pages than the cap fails instead of coming back short', async () => {
    const to = shiftDays(localToday(UTC), -1);
    // 31 days of hours are 744 rows: two pages of 500.
    const read = await createMetaSpendReader(settings, { ...FAST, maxPages: 1 }).read(
      spendQuery(UTC, shiftDays(to, -30), to, 'hour'),
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(read.error.message).toMatch(/^Meta had more than 1 page of Insights rows/);
  });
});

describe('tokens', () => {
  it('a revoked token is invalid_grant', async () => {
    await control(sim.url, 'revoke', { platform: 'meta', token });
    const day = localToday(UTC);
    const read = await createMetaSpendReader(settings, FAST).read(spendQuery(UTC, day, day, 'region'));
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: '190/458' });
    expect(read.error.message).not.toContain(token);
  });

  it('a token Meta never issued is invalid_grant', async () => {
    const day = localToday(UTC);
    const read = await createMetaSpendReader(settings, FAST).read(
      spendQuery(UTC, day, day, 'day', { accessToken: 'EAAnot-a-token' }),
    );
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error).toMatchObject({ code: 'invalid_grant', platformCode: '190' });
  });
});
