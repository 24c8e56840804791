// `pnpm spend:backfill --tenant TENANT_ID --account AD_ACCOUNT_ID --days N`: queues N days of an ad
// account's spend, most recent first, in chunks (SPEND_BACKFILL_CHUNK_DAYS) — the same as the API's
// POST /v1/ad-accounts/:id/backfill. worker-spend does the work.

import { parseArgs } from 'node:util';
import { backfillConfigSchema, loadConfigOrExit } from '@adsync/config';
import { createDatabase } from '@adsync/db';
import { AppError } from '@adsync/errors';
import { createQueueProducer, createRedisConnection } from '@adsync/queues';
import { enqueueBackfill } from '../backfill.ts';

const usage = 'usage: spend:backfill --tenant TENANT_ID --account AD_ACCOUNT_ID --days N';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<number> {
  let args: { tenant?: string; account?: string; days?: string };
  try {
    args = parseArgs({
      options: { tenant: { type: 'string' }, account: { type: 'string' }, days: { type: 'string' } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (!UUID.test(args.tenant ?? '') || !UUID.test(args.account ?? '')) {
    console.error(`--tenant and --account must be ids (UUIDs); GET /v1/connections lists an account's id\n${usage}`);
    return 2;
  }
  const days = Number(args.days);
  const config = loadConfigOrExit(backfillConfigSchema, 'spend:backfill');
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-cli' });
  const redis = createRedisConnection({ url: config.REDIS_URL, role: 'producer', name: 'adsync-cli' });
  const producer = createQueueProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  try {
    const ranges = await enqueueBackfill(
      { db, producer },
      {
        tenantId: args.tenant ?? '',
        adAccountId: args.account ?? '',
        days,
        chunkDays: config.SPEND_BACKFILL_CHUNK_DAYS,
      },
    );
    console.log(`queued ${ranges.length} backfill jobs, newest first:`);
    for (const range of ranges) console.log(`  ${range.from} … ${range.to}`);
    return 0;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(`${error.code}: ${error.message}`);
    return 1;
  } finally {
    await producer.close();
    redis.disconnect();
    await db.destroy();
  }
}

process.exitCode = await main();
