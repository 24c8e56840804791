// The real worker-spend process against real Postgres, Redis and the simulator: on start its ticks fan out
// one hourly sync and one nightly restatement per selected account; both land the platform's spend, and
// an account whose connection needs re-authorization is left alone.

import { parseEnv, workerConfigSchema } from '@adsync/config';
import { type PlatformClients, simulatorPlatforms } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { listSyncRuns, updateConnection } from '@adsync/db';
import { expectedSpendRows } from '@adsync/providers/testing/spend-truth';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { addDays, localClock } from '@adsync/spend';
import { connectSpendAccounts, storedSpend } from '@adsync/spend/testing';
import { startWorkerProcess, useTestEnvironment, type WorkerProcess } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const env = useTestEnvironment();
// The worker runs on the development keys; the test seals its fixtures with the same ones.
const keyring = createKeyring(parseEnv(workerConfigSchema(0), {}).ENCRYPTION_KEYS);
let sim: RunningSimulator;
let platforms: PlatformClients;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }, { meta: { asyncRunMilliseconds: 50 } });
  platforms = simulatorPlatforms(sim.url);
});
afterAll(async () => {
  await worker?.stop();
  await sim?.close();
});

it('the ticks sync every selected account hourly and restate it nightly; a broken connection is skipped', async () => {
  const tiktok = await connectSpendAccounts(env.db, platforms, 'tiktok', {
    keyring,
    accounts: ['7000000000000000005', '7000000000000000003'],
  });
  const { tenantId } = tiktok.key;
  const meta = await connectSpendAccounts(env.db, platforms, 'meta', {
    keyring,
    tenantId,
    accounts: ['act_1000000004'],
  });
  const broken = await connectSpendAccounts(env.db, platforms, 'google', {
    keyring,
    tenantId,
    accounts: ['1000000015'],
  });
  const [brokenAccount] = broken.accounts;
  if (brokenAccount === undefined) throw new Error('the Google grant reached no account');
  await updateConnection(env.db, broken.key, { status: 'needs_reauth' });

  worker = await startWorkerProcess('worker-spend', {
    ...env.env,
    SIMULATOR_URL: sim.url,
    PUBLIC_BASE_URL: 'http://adsync.localhost',
    // Every account's night has come, wherever it is: each gets its restatement on the first tick.
    SPEND_NIGHTLY_LOCAL_HOUR: '0',
  });
  const synced = [...tiktok.accounts, ...meta.accounts];
  const succeeded = async () => {
    const runs = await listSyncRuns(env.db, { tenantId, limit: 100 });
    return runs
      .filter((run) => run.status === 'succeeded')
      .map((run) => `${run.ad_account_id}:${run.kind}`)
      .sort();
  };
  const wanted = synced.flatMap((account) => [`${account.id}:hourly`, `${account.id}:nightly`]).sort();
  await expect.poll(succeeded, { timeout: 45_000, interval: 500 }).toEqual(expect.arrayContaining(wanted));

  for (const account of synced) {
    const provider = account.provider as 'tiktok' | 'meta';
    const today = localClock(Date.now(), account.timezone).date;
    // The nightly restatement's past days equal the platform's (3 days for TikTok, 28 for Meta by default).
    const days = provider === 'tiktok' ? 3 : 28;
    const range = { from: addDays(today, -days), to: addDays(today, -1) };
    for (const grain of ['day', 'hour', 'region'] as const) {
      expect(await storedSpend(env.db, account.id, { ...range, grain }), `${account.external_id} ${grain}`).toEqual(
        await expectedSpendRows(sim.url, provider, account.external_id, { ...range, grain }),
      );
    }
    // The hourly sync stored today's hours so far.
    const hours = await storedSpend(env.db, account.id, { from: today, to: today, grain: 'hour' });
    expect(hours.length).toBeGreaterThan(0);
    expect(Math.max(...hours.map((row) => row.hour ?? 0))).toBeLessThanOrEqual(
      localClock(Date.now(), account.timezone).hour,
    );
  }
  // The connection that needs re-authorization got no sync at all.
  expect(await listSyncRuns(env.db, { tenantId, adAccountId: brokenAccount.id, limit: 5 })).toEqual([]);

  const healthUrl = worker.healthUrl();
  const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
  expect(metrics).toMatch(
    /adsync_spend_sync_runs_total\{[^}]*provider="tiktok"[^}]*kind="hourly"[^}]*outcome="synced"[^}]*\} [1-9]/,
  );
  expect(metrics).toMatch(/adsync_spend_rows_written_total\{[^}]*provider="meta"[^}]*\} [1-9]/);
}, 60_000);
