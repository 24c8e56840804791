// Spend syncs of real connections against the simulator: stored rows equal the platform's truth for every
// platform, grain and time zone (UTC, UTC+13, UTC−11, across daylight-saving changes); a repeated sync
// changes nothing; restatements are recorded; a throttled Meta account waits alone; a failed Meta report
// run is split and completes; a revoked connection stops syncing.

import { randomUUID } from 'node:crypto';
import { DEFAULT_RATE_LIMITS } from '@adsync/config';
import { type PlatformClients, refreshDepsForTest, simulatorPlatforms } from '@adsync/connections';
import { type AdAccount, findConnection, listSpendRestatements, listSyncRuns, type SpendProvider } from '@adsync/db';
import { createLogger } from '@adsync/logging';
import { type SpendGrain, simulatorProviderSettings } from '@adsync/providers';
import { expectedSpendRows } from '@adsync/providers/testing/spend-truth';
import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { createPlatformLimiter, createRateLimiter, RetryLaterError } from '@adsync/worker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localClock } from './spend-dates.ts';
import { createSpendReaders } from './spend-readers.ts';
import { type SpendSyncDeps, syncAccountSpend } from './sync-account-spend.ts';
import { connectSpendAccounts, storedSpend } from './testing/spend-fixture.ts';

const env = useTestEnvironment();
const GRAINS: SpendGrain[] = ['day', 'hour', 'region'];
let producer: QueueProducer;
let sim: RunningSimulator;
let platforms: PlatformClients;

beforeAll(async () => {
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  sim = await startSimulator(
    { port: 0 },
    {
      meta: { asyncRunMilliseconds: 50 },
      tiktok: { requestsPerSecond: 10_000 },
      google: { requestsPerCustomerPerMinute: 100_000 },
    },
  );
  platforms = simulatorPlatforms(sim.url);
});
afterAll(async () => {
  await producer?.close();
  await sim?.close();
});

/** A worker's deps; each call gets its own limiter budgets, so one test's pauses never leak into another. */
function spendDeps(simulator: RunningSimulator = sim, clients: PlatformClients = platforms): SpendSyncDeps {
  const limiter = createPlatformLimiter(
    createRateLimiter(env.redis, `${env.queuePrefix}:${randomUUID()}`),
    DEFAULT_RATE_LIMITS,
  );
  return {
    db: env.db,
    refresh: {
      ...refreshDepsForTest({
        db: env.db,
        redis: env.redis,
        lockPrefix: env.queuePrefix,
        producer,
        platforms: clients,
      }),
      limiter,
    },
    readers: createSpendReaders(simulatorProviderSettings(simulator.url, 'http://adsync.test'), { metaStallMs: 2_000 }),
    restatementThresholdPercent: 1,
    logger: createLogger({ name: 'spend-test', level: 'silent', format: 'json' }),
  };
}

function accountOf(accounts: readonly AdAccount[], externalId: string): AdAccount {
  const account = accounts.find((candidate) => candidate.external_id === externalId);
  if (account === undefined) throw new Error(`${externalId} was not discovered`);
  return account;
}

/** Past days only: today's hours keep arriving, so its truth moves while a test compares. */
function pastRange(account: AdAccount, days: number, endingDaysAgo = 1) {
  const today = localClock(Date.now(), account.timezone).date;
  return { from: addDays(today, -(days + endingDaysAgo - 1)), to: addDays(today, -endingDaysAgo) };
}

async function expectTruth(provider: SpendProvider, account: AdAccount, range: { from: string; to: string }) {
  for (const grain of GRAINS) {
    const expected = await expectedSpendRows(sim.url, provider, account.external_id, { ...range, grain });
    expect(expected.length).toBeGreaterThan(0);
    expect(await storedSpend(env.db, account.id, { ...range, grain }), `${account.external_id} ${grain}`).toEqual(
      expected,
    );
  }
}

// Far east (UTC+13), far west (UTC−11), UTC, and a zone whose clocks changed within the range
// (US 2026-11-01, Europe 2026-10-25); the ranges below reach back past those dates.
const CASES: Array<{ provider: SpendProvider; accounts: string[] }> = [
  { provider: 'meta', accounts: ['act_1000000005', 'act_1000000003', 'act_1000000004', 'act_1000000001'] },
  { provider: 'google', accounts: ['1000000016', '1000000013', '1000000014', '1000000011', '1000000015'] },
  {
    provider: 'tiktok',
    accounts: ['7000000000000000005', '7000000000000000003', '7000000000000000004', '7000000000000000002'],
  },
];

describe.each(CASES)('$provider', ({ provider, accounts: externalIds }) => {
  it('stores exactly the platform’s spend by day, hour and region in each account’s time zone', async () => {
    const { accounts, key } = await connectSpendAccounts(env.db, platforms, provider);
    const deps = spendDeps();
    for (const externalId of externalIds) {
      const account = accountOf(accounts, externalId);
      // 32 days back reaches both daylight-saving changes of 2026 from any date in November.
      const range = pastRange(account, 32);
      const outcome = await syncAccountSpend(deps, {
        tenantId: key.tenantId,
        adAccountId: account.id,
        ...range,
        kind: 'backfill',
        jobId: null,
      });
      expect(outcome.kind).toBe('synced');
      await expectTruth(provider, account, range);
    }
  });
});

it('a repeated sync leaves identical rows and writes nothing', async () => {
  const { accounts, key } = await connectSpendAccounts(env.db, platforms, 'google', { accounts: ['1000000015'] });
  const account = accountOf(accounts, '1000000015');
  const range = pastRange(account, 5);
  const request = { tenantId: key.tenantId, adAccountId: account.id, ...range, kind: 'nightly' as const, jobId: null };
  const first = await syncAccountSpend(spendDeps(), request);
  const snapshot = await env.db.selectFrom('ad_spend').selectAll().where('ad_account_id', '=', account.id).execute();
  const second = await syncAccountSpend(spendDeps(), request);
  expect(first).toMatchObject({ kind: 'synced' });
  expect(second).toEqual({ kind: 'synced', rowsWritten: 0, restatements: 0 });
  const again = await env.db.selectFrom('ad_spend').selectAll().where('ad_account_id', '=', account.id).execute();
  expect(again).toEqual(snapshot);
  const runs = await listSyncRuns(env.db, { tenantId: key.tenantId, adAccountId: account.id, limit: 10 });
  expect(runs.map((run) => [run.status, run.kind, run.rows_written])).toEqual([
    ['succeeded', 'nightly', 0],
    ['succeeded', 'nightly', snapshot.length],
  ]);
  expect(runs[0]?.duration_ms).toBeGreaterThanOrEqual(0);
});

it('records a past day whose total the platform restated beyond the threshold', async () => {
  const { accounts, key } = await connectSpendAccounts(env.db, platforms, 'tiktok', {
    accounts: ['7000000000000000005'],
  });
  const account = accountOf(accounts, '7000000000000000005');
  const range = pastRange(account, 3);
  const request = { tenantId: key.tenantId, adAccountId: account.id, ...range, kind: 'nightly' as const, jobId: null };
  await syncAccountSpend(spendDeps(), request);
  // What we had stored before the platform restated: 10 % less on the first day, 0.5 % less on the second.
  const day = (date: string) =>
    env.db
      .selectFrom('ad_spend')
      .select('spend_micros')
      .where('ad_account_id', '=', account.id)
      .where('date', '=', date)
      .where('hour', 'is', null)
      .where('region', 'is', null)
      .executeTakeFirstOrThrow();
  const first = (await day(range.from)).spend_micros;
  const second = (await day(addDays(range.from, 1))).spend_micros;
  const set = (date: string, micros: bigint) =>
    env.db
      .updateTable('ad_spend')
      .set({ spend_micros: micros })
      .where('ad_account_id', '=', account.id)
      .where('date', '=', date)
      .where('hour', 'is', null)
      .where('region', 'is', null)
      .execute();
  await set(range.from, (first * 9n) / 10n);
  await set(addDays(range.from, 1), (second * 995n) / 1000n);

  expect(await syncAccountSpend(spendDeps(), request)).toMatchObject({ kind: 'synced', restatements: 1 });
  const recorded = await listSpendRestatements(env.db, { tenantId: key.tenantId, limit: 10 });
  expect(recorded.map((row) => [row.date, row.previous_micros, row.restated_micros])).toEqual([
    [range.from, (first * 9n) / 10n, first],
  ]);
  await expectTruth('tiktok', account, range);
});

it('a throttled Meta ad account waits alone; the others go on', async () => {
  // A platform that throttles each ad account after 60 calls an hour (a two-day sync makes about a dozen).
  const throttling = await startSimulator(
    { port: 0 },
    { meta: { asyncRunMilliseconds: 50, callsPerAccountPerHour: 60 } },
  );
  try {
    const clients = simulatorPlatforms(throttling.url);
    const { accounts, key, tokens } = await connectSpendAccounts(env.db, clients, 'meta');
    const deps = spendDeps(throttling, clients);
    const busy = accountOf(accounts, 'act_1000000001');
    const quiet = accountOf(accounts, 'act_1000000002');
    const request = (account: AdAccount) => ({
      tenantId: key.tenantId,
      adAccountId: account.id,
      ...pastRange(account, 2),
      kind: 'nightly' as const,
      jobId: null,
    });
    // Something else (another tool of the brand's) has used up the busy account's hour at Meta.
    for (let call = 0; call < 70; call += 1) {
      const used = await fetch(
        `${throttling.url}/meta/graph/v25.0/act_1000000001/insights?date_preset=yesterday&access_token=${tokens.accessToken}`,
      );
      if (used.status === 400) break;
    }
    const postponed = await syncAccountSpend(deps, request(busy)).catch((error: unknown) => error);
    expect(postponed).toBeInstanceOf(RetryLaterError);
    const calls = async () => (await (await fetch(`${throttling.url}/_control/requests`)).json()) as unknown;
    const before = JSON.stringify(await calls());
    // The paused account does not even reach the platform while its pause lasts...
    await expect(syncAccountSpend(deps, request(busy))).rejects.toBeInstanceOf(RetryLaterError);
    expect(JSON.stringify(await calls())).toBe(before);
    // ...while another account of the same connection syncs at once.
    expect(await syncAccountSpend(deps, request(quiet))).toMatchObject({ kind: 'synced' });
    const runs = await listSyncRuns(env.db, { tenantId: key.tenantId, adAccountId: busy.id, limit: 1 });
    expect(runs[0]?.error_code).toBe('rate_limited');
  } finally {
    await throttling.close();
  }
});

it('a Meta report run that fails is split into smaller ranges and the sync completes', async () => {
  const { accounts, key } = await connectSpendAccounts(env.db, platforms, 'meta', { accounts: ['act_1000000002'] });
  const account = accountOf(accounts, 'act_1000000002');
  const range = pastRange(account, 6);
  const fail = await fetch(`${sim.url}/_control/meta/fail-report-runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: 2 }),
  });
  expect(fail.status).toBe(200);
  const outcome = await syncAccountSpend(spendDeps(), {
    tenantId: key.tenantId,
    adAccountId: account.id,
    ...range,
    kind: 'nightly',
    jobId: null,
  });
  expect(outcome.kind).toBe('synced');
  await expectTruth('meta', account, range);
});

it('a revoked connection stops syncing: needs_reauth once, then skipped, never retried', async () => {
  const { accounts, key, connection, tokens } = await connectSpendAccounts(env.db, platforms, 'tiktok', {
    accounts: ['7000000000000000001'],
  });
  const account = accountOf(accounts, '7000000000000000001');
  const revoke = await fetch(`${sim.url}/_control/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'tiktok', token: tokens.accessToken }),
  });
  expect(revoke.status).toBe(200);
  const request = {
    tenantId: key.tenantId,
    adAccountId: account.id,
    ...pastRange(account, 2),
    kind: 'hourly' as const,
    jobId: null,
  };
  expect(await syncAccountSpend(spendDeps(), request)).toEqual({ kind: 'needs_reauth' });
  expect((await findConnection(env.db, key))?.status).toBe('needs_reauth');
  expect(await syncAccountSpend(spendDeps(), request)).toEqual({ kind: 'skipped', reason: 'not_live' });
  const runs = await listSyncRuns(env.db, { tenantId: key.tenantId, adAccountId: account.id, limit: 5 });
  expect(runs.map((run) => [run.status, run.error_code])).toEqual([['failed', 'needs_reauth']]);
  expect(connection.status).toBe('active');
});
