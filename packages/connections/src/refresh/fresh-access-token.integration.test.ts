import { findConnection } from '@adsync/db';
import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PlatformClients } from '../platform-clients.ts';
import { connectForTest, refreshDepsForTest, simulatorPlatforms } from '../testing/connected-connection.ts';
import { getFreshAccessToken } from './fresh-access-token.ts';
import type { RefreshDeps } from './refresh-connection.ts';

const env = useTestEnvironment();
let producer: QueueProducer;
let sim: RunningSimulator;
let platforms: PlatformClients;
const otherProcesses: Redis[] = [];

beforeAll(async () => {
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  // Google tokens that live 5 minutes: inside the 10-minute margin from the start, so due at half their life.
  // Klaviyo's live 30 seconds: shorter than the margin and than the minute a token must otherwise have left.
  sim = await startSimulator({ port: 0 }, { google: { accessTokenSeconds: 300 }, klaviyo: { accessTokenSeconds: 30 } });
  platforms = simulatorPlatforms(sim.url);
});
afterAll(async () => {
  await producer?.close();
  for (const redis of otherProcesses) redis.disconnect();
  await sim?.close();
});

function processDeps(now?: () => number): RefreshDeps {
  const redis = new Redis(env.redisUrl);
  otherProcesses.push(redis);
  return refreshDepsForTest({
    db: env.db,
    redis,
    lockPrefix: env.queuePrefix,
    producer,
    platforms,
    ...(now === undefined ? {} : { now }),
  });
}

const tokenCalls = () => sim.context.recorder.requestCounts()['google POST /oauth2/token 200'] ?? 0;
const klaviyoTokenCalls = () => sim.context.recorder.requestCounts()['klaviyo POST /a/oauth/token 200'] ?? 0;

it('five processes asking at once for an expiring token: one refresh, one new token for all', async () => {
  const { connection, tokens } = await connectForTest(env.db, platforms, 'google', { accounts: ['1000000015'] });
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  await fetch(`${sim.url}/_control/latency`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'google', route: 'POST /oauth2/token', ms: 200 }),
  });
  const before = tokenCalls();
  // Three minutes on, past half the token's life.
  const later = Date.now() + 180_000;
  const answers = await Promise.all(
    Array.from({ length: 5 }, () =>
      getFreshAccessToken(
        processDeps(() => later),
        key,
      ),
    ),
  );
  await fetch(`${sim.url}/_control/faults/clear`, { method: 'POST' });
  expect(tokenCalls() - before).toBe(1);
  expect(new Set(answers).size).toBe(1);
  expect(answers[0]).not.toBe(tokens.accessToken);
  expect((await findConnection(env.db, key))?.credentials_version).toBe(connection.credentials_version + 1);
});

it('a fresh token comes straight from the database; a revoked connection is refused with needs_reauth', async () => {
  const { connection, tokens } = await connectForTest(env.db, platforms, 'meta', { accounts: ['act_1000000001'] });
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  expect(await getFreshAccessToken(processDeps(), key)).toBe(tokens.accessToken);
  await env.db.updateTable('connections').set({ status: 'needs_reauth' }).where('id', '=', connection.id).execute();
  await expect(getFreshAccessToken(processDeps(), key)).rejects.toMatchObject({ code: 'connection_needs_reauth' });
});

it('a platform issuing 30-second tokens: a token past half its life is renewed once, then used as it is', async () => {
  const { connection, tokens } = await connectForTest(env.db, platforms, 'klaviyo');
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  expect(await getFreshAccessToken(processDeps(), key)).toBe(tokens.accessToken);

  // 20 s on, 10 s left: due, and the renewed token has less than a minute left too.
  const later = Date.now() + 20_000;
  const before = klaviyoTokenCalls();
  const renewed = await getFreshAccessToken(
    processDeps(() => later),
    key,
  );
  expect(renewed).not.toBe(tokens.accessToken);
  expect(
    await getFreshAccessToken(
      processDeps(() => later),
      key,
    ),
  ).toBe(renewed);
  expect(klaviyoTokenCalls() - before).toBe(1);
});
