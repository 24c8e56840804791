// `pnpm spend:backfill` as an operator runs it: a real process, real Postgres and Redis. Good arguments
// queue the chunks newest first; bad ones exit non-zero with a message and queue nothing.

import { spawnSync } from 'node:child_process';
import { simulatorPlatforms } from '@adsync/connections';
import { createQueueProducer } from '@adsync/queues';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectSpendAccounts } from '../testing/spend-fixture.ts';

const env = useTestEnvironment();
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(() => sim?.close());

function backfill(args: string[]) {
  const run = spawnSync(process.execPath, ['packages/spend/src/cli/backfill.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env.env, SPEND_BACKFILL_CHUNK_DAYS: '7' },
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

async function queuedRanges(adAccountId: string) {
  const producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  try {
    const jobs = await producer.queue('spend-nightly').getJobs(['waiting', 'prioritized', 'delayed']);
    return jobs.filter((job) => job.data.adAccountId === adAccountId).map((job) => `${job.data.from}…${job.data.to}`);
  } finally {
    await producer.close();
  }
}

it('queues the backfill in chunks, newest first, and refuses bad arguments', async () => {
  const { accounts, key } = await connectSpendAccounts(env.db, simulatorPlatforms(sim.url), 'tiktok', {
    accounts: ['7000000000000000005'],
  });
  const [account] = accounts;
  if (account === undefined) throw new Error('no account');

  const refused = [
    backfill(['--tenant', key.tenantId, '--account', 'nope', '--days', '10']),
    backfill(['--tenant', key.tenantId, '--account', account.id, '--days', '0']),
    backfill(['--tenant', '00000000-0000-4000-8000-000000000000', '--account', account.id, '--days', '10']),
  ];
  expect(refused.map((run) => run.status)).toEqual([2, 1, 1]);
  expect(refused[1]?.out).toContain('invalid_backfill_days');
  expect(refused[2]?.out).toContain('ad_account_not_found');
  expect(await queuedRanges(account.id)).toEqual([]);

  const done = backfill(['--tenant', key.tenantId, '--account', account.id, '--days', '20']);
  expect(done.status, done.out).toBe(0);
  expect(done.out).toContain('queued 3 backfill jobs');
  expect((await queuedRanges(account.id)).length).toBe(3);
});
