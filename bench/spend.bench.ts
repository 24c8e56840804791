// Spend sync under load (issue 6):
// - spend writes: rows/s through writeSpendRows (upsert + removal of unreported rows, one grain of one
//   account's range per statement), beside a plain multi-row INSERT … ON CONFLICT of the same rows;
// - an hourly sync of N ad accounts (default 1,000) against the simulator, fanned out by the tick and run by
//   the worker runtime: wall time and jobs/s, beside raw BullMQ no-op jobs/s in the same run.
// Needs Postgres and Redis (DATABASE_URL / REDIS_URL, local defaults); leaves nothing behind.

import { randomUUID } from 'node:crypto';
import {
  connectForTest,
  createSingleFlight,
  createTokenStash,
  sealedTokenColumns,
  simulatorPlatforms,
  TEST_KEYRING,
} from '@adsync/connections';
import { type AdAccount, type SpendProvider, type SpendRowInput, upsertAdAccounts, writeSpendRows } from '@adsync/db';
import { createMetricsRegistry } from '@adsync/metrics';
import { simulatorProviderSettings } from '@adsync/providers';
import { createSpendReaders, enqueueHourlySyncs, localClock, syncHourlySpend } from '@adsync/spend';
import {
  consume,
  createPlatformLimiter,
  createRateLimiter,
  createWorkerRuntime,
  type WorkerDeps,
} from '@adsync/worker-runtime';
import { sql } from 'kysely';
import { createBenchContext, noopJobsPerSecond, until } from './lib/bench-context.ts';
import { type BenchRow, printTable } from './lib/print-table.ts';

const ACCOUNTS = Number(process.argv[2] ?? 1_000);
const WRITE_ACCOUNTS = 100;
const WRITE_DAYS = 30;
const CONCURRENCY = 32;
const PLATFORMS: SpendProvider[] = ['meta', 'google', 'tiktok'];

// Platform limits far above what one machine can send: the figure is the fleet's own throughput.
const context = await createBenchContext({
  meta: { asyncRunMilliseconds: 100, callsPerAccountPerHour: 1_000_000_000, callsPerAppPerHour: 1_000_000_000 },
  google: { requestsPerCustomerPerMinute: 1_000_000_000 },
  tiktok: { requestsPerSecond: 1_000_000 },
});
const { config, logger, prefix, db, redis, workerRedis, producer } = context;
const platforms = simulatorPlatforms(context.simulatorUrl);
const rows: BenchRow[] = [];

/** `accounts` selected accounts spread over connections that share one real grant per platform. */
async function seedAccounts(total: number): Promise<AdAccount[]> {
  const perPlatform = Math.ceil(total / PLATFORMS.length);
  for (const provider of PLATFORMS) {
    const { tokens } = await connectForTest(db, platforms, provider, { keyring: TEST_KEYRING });
    const discovered = await platforms.oauth(provider).listAccounts(tokens);
    if (!discovered.ok) throw new Error(discovered.error.message);
    const held = { ...tokens, accessTokenExpiresAt: new Date(Date.now() + 3_600_000) };
    for (let seeded = 0; seeded < perPlatform; seeded += discovered.value.length) {
      const tenantId = randomUUID();
      const connectionId = randomUUID();
      await db.insertInto('tenants').values({ id: tenantId, name: 'bench' }).execute();
      await db
        .insertInto('connections')
        .values({
          ...sealedTokenColumns(TEST_KEYRING, { tenantId, connectionId }, held),
          id: connectionId,
          tenant_id: tenantId,
          provider,
          auth_method: 'oauth',
          status: 'active',
        } as never)
        .execute();
      const take = discovered.value.slice(0, perPlatform - seeded);
      await upsertAdAccounts(db, { tenantId, connectionId, provider }, take, () => true);
    }
  }
  // The connections connectForTest made for the grants are not part of the run.
  await db
    .updateTable('ad_accounts')
    .set({ selected: false })
    .where('tenant_id', 'not in', db.selectFrom('tenants').select('id').where('name', '=', 'bench'))
    .execute();
  return db.selectFrom('ad_accounts').selectAll().where('selected', '=', true).execute();
}

/** A month of hourly rows for one account. */
function hourlyRows(seed: number): SpendRowInput[] {
  const result: SpendRowInput[] = [];
  for (let day = 0; day < WRITE_DAYS; day += 1) {
    const date = new Date(Date.UTC(2026, 9, 1 + day)).toISOString().slice(0, 10);
    for (let hour = 0; hour < 24; hour += 1) {
      result.push({
        date,
        hour,
        region: null,
        spendMicros: BigInt((seed + 1) * 1_000_000 + day * 24 + hour),
        impressions: 100 + hour,
        clicks: hour,
      });
    }
  }
  return result;
}

try {
  console.log(`seeding ${ACCOUNTS.toLocaleString('en')} ad accounts…`);
  const accounts = await seedAccounts(ACCOUNTS);

  // ---- spend writes: ours beside a plain multi-row upsert of the same rows, same statement size ----
  await sql`CREATE TABLE ad_spend_plain (LIKE ad_spend INCLUDING ALL)`.execute(db);
  const writeAccounts = accounts.slice(0, WRITE_ACCOUNTS);
  const batches = writeAccounts.map((account, index) => ({ account, rows: hourlyRows(index) }));
  const totalRows = batches.reduce((sum, batch) => sum + batch.rows.length, 0);
  const plainPass = async () => {
    const started = performance.now();
    for (const { account, rows: batch } of batches) {
      const values = batch.map(
        (row) =>
          sql`(${account.tenant_id}::uuid, ${account.provider}, ${account.id}::uuid, ${row.date}::date, ${row.hour}::smallint, ${row.region}::text, ${row.spendMicros.toString()}::bigint, ${account.currency}, ${row.impressions}::bigint, ${row.clicks}::bigint)`,
      );
      await sql`
        INSERT INTO ad_spend_plain AS spend
          (tenant_id, provider, ad_account_id, date, hour, region, spend_micros, currency, impressions, clicks)
        VALUES ${sql.join(values)}
        ON CONFLICT (tenant_id, provider, ad_account_id, date, hour, region) DO UPDATE SET
          spend_micros = excluded.spend_micros, impressions = excluded.impressions, clicks = excluded.clicks,
          synced_at = now()`.execute(db);
    }
    return totalRows / ((performance.now() - started) / 1000);
  };
  const oursPass = async () => {
    const started = performance.now();
    for (const { account, rows: batch } of batches) {
      await writeSpendRows(db, {
        tenantId: account.tenant_id,
        provider: account.provider as SpendProvider,
        adAccountId: account.id,
        currency: account.currency,
        from: batch[0]?.date ?? '',
        to: batch.at(-1)?.date ?? '',
        grain: 'hour',
        rows: batch,
      });
    }
    return totalRows / ((performance.now() - started) / 1000);
  };
  const plainInsert = await plainPass();
  const oursInsert = await oursPass();
  // A restatement pass: every value moved.
  for (const batch of batches) batch.rows = batch.rows.map((row) => ({ ...row, spendMicros: row.spendMicros + 7n }));
  const plainUpdate = await plainPass();
  const oursUpdate = await oursPass();
  rows.push(
    {
      scenario: `spend write, new rows (${totalRows.toLocaleString('en')} in ${WRITE_ACCOUNTS} statements)`,
      figure: oursInsert,
      ceiling: plainInsert,
      unit: 'rows/s',
      note: 'ceiling = plain multi-row INSERT … ON CONFLICT of the same rows',
    },
    {
      scenario: 'spend write, every row restated',
      figure: oursUpdate,
      ceiling: plainUpdate,
      unit: 'rows/s',
      note: 'ours also removes unreported rows and skips unchanged ones',
    },
  );
  await db.deleteFrom('ad_spend').execute();

  // ---- an hourly sync of every account, through the tick and the worker runtime ----
  const deps: WorkerDeps = { db, producer, logger, redis, config, metrics: createMetricsRegistry('bench') };
  const limiter = createPlatformLimiter(createRateLimiter(redis, prefix), {
    meta: { app: { limit: 1_000_000, windowMs: 1_000 } },
    google: { app: { limit: 1_000_000, windowMs: 1_000 } },
    tiktok: { endpoint: { limit: 1_000_000, windowMs: 1_000 } },
  });
  const spend = {
    db,
    refresh: {
      db,
      producer,
      keyring: TEST_KEYRING,
      platforms,
      singleFlight: createSingleFlight(redis, { keyPrefix: prefix, lockMs: 30_000 }),
      tokenStash: createTokenStash(redis, TEST_KEYRING, { keyPrefix: prefix }),
      timing: { marginMs: 600_000, healthCheckIntervalMs: 86_400_000 },
      logger,
      limiter,
    },
    readers: createSpendReaders(simulatorProviderSettings(context.simulatorUrl, 'http://adsync.test'), {
      metaStallMs: 60_000,
    }),
    restatementThresholdPercent: 1,
    logger,
  };
  const runtime = createWorkerRuntime({
    app: 'bench',
    deps,
    workerConnection: workerRedis,
    redis,
    prefix,
    queues: ['spend-hourly'],
    consumers: [
      consume('spend-hourly', {
        'hourly-tick': async () => undefined,
        'sync-hourly-spend': async ({ data, jobId }) =>
          syncHourlySpend(spend, {
            tenantId: data.tenantId,
            adAccountId: data.adAccountId,
            yesterdayHours: 4,
            jobId,
          }),
      }),
    ],
    concurrency: CONCURRENCY,
    tenantConcurrency: 5,
    health: { host: '127.0.0.1', port: 0 },
  });
  const syncStarted = performance.now();
  const enqueued = await enqueueHourlySyncs({ db, producer }, new Date());
  await runtime.start();
  const succeeded = async () =>
    Number(
      (
        await db
          .selectFrom('sync_runs')
          .select(db.fn.countAll<string>().as('count'))
          .where('status', '=', 'succeeded')
          .executeTakeFirstOrThrow()
      ).count,
    );
  await until(async () => (await succeeded()) >= enqueued, 30 * 60_000);
  const syncSeconds = (performance.now() - syncStarted) / 1000;
  await runtime.stop(10_000);
  const failed = await db.selectFrom('sync_runs').select('error_code').where('status', '=', 'failed').execute();
  const written = await db
    .selectFrom('ad_spend')
    .select(db.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();

  const noopPerSecond = await noopJobsPerSecond(context, enqueued, CONCURRENCY);
  const today = localClock(Date.now(), 'UTC').date;
  rows.push({
    scenario: `hourly sync of ${enqueued.toLocaleString('en')} accounts (${PLATFORMS.join(', ')})`,
    figure: enqueued / syncSeconds,
    ceiling: noopPerSecond,
    unit: 'jobs/s',
    note: `${syncSeconds.toFixed(1)} s wall; ${Number(written.count).toLocaleString('en')} rows for ${today}; ${failed.length} failed attempts (retried)`,
  });
  printTable(rows);
} finally {
  await context.close(['spend-hourly']);
}
