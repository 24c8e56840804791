// Refreshing real connections against the simulator: rotation after rotation, single flight across two
// "processes", revocation → needs_reauth, the race that is not a revocation, transient failures and throttles.

import {
  type Connection,
  createDatabase,
  findConnection,
  listAdAccounts,
  listConnectionEvents,
  upsertAdAccounts,
} from '@adsync/db';
import { isDependencyUnavailable } from '@adsync/errors';
import { PROVIDER_IDS, simulatorProviderSettings } from '@adsync/providers';
import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { controlSimulator, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { createCapturingLogger, startTcpProxy, useTestEnvironment } from '@adsync/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformClients, type PlatformClients } from '../platform-clients.ts';
import { connectForTest, refreshDepsForTest, simulatorPlatforms } from '../testing/connected-connection.ts';
import { DEGRADED_AFTER_FAILURES, type RefreshDeps, refreshConnection } from './refresh-connection.ts';

const env = useTestEnvironment();
let producer: QueueProducer;
let sim: RunningSimulator;
let platforms: PlatformClients;
let secondProcess: Redis;

beforeAll(async () => {
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  sim = await startSimulator({ port: 0 }, { tiktok: { accessTokenSeconds: 4 } });
  platforms = simulatorPlatforms(sim.url);
  secondProcess = new Redis(env.redisUrl);
});
afterAll(async () => {
  await producer?.close();
  secondProcess.disconnect();
  await sim?.close();
});

/** What one worker process holds; `redis` and `lockPrefix` tell processes apart. */
function processDeps(redis = env.redis, lockPrefix = env.queuePrefix, now?: () => number): RefreshDeps {
  return refreshDepsForTest({
    db: env.db,
    redis,
    lockPrefix,
    producer,
    platforms,
    ...(now === undefined ? {} : { now }),
  });
}

const keyOf = (connection: Connection) => ({ tenantId: connection.tenant_id, connectionId: connection.id });

async function control(path: string, body: Record<string, unknown>) {
  await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function refreshCalls(): number {
  return sim.context.recorder.requestCounts()['tiktok POST /open_api/v1.3/oauth2/refresh_token/'] ?? 0;
}

describe('TikTok rotating tokens', () => {
  it('survive many rotations in a row: every old refresh token dies, the connection never does', async () => {
    const { connection, tokens } = await connectForTest(env.db, platforms, 'tiktok');
    const deps = processDeps();
    for (let round = 1; round <= 25; round += 1) {
      expect(await refreshConnection(deps, keyOf(connection), { force: true })).toEqual({ kind: 'refreshed' });
    }
    const after = await findConnection(env.db, keyOf(connection));
    expect(after).toMatchObject({ status: 'active', credentials_version: connection.credentials_version + 25 });
    // Planned at half the 4-second life (the platform's clock and ours differ by the call's few milliseconds).
    const lead = (after?.next_refresh_at?.getTime() ?? 0) - (after?.last_refreshed_at?.getTime() ?? 0);
    expect(lead).toBeGreaterThanOrEqual(2_000);
    expect(lead).toBeLessThan(2_500);
    // The simulator says when the first refresh token was superseded (the chaos suite relies on it).
    const superseded = (await controlSimulator(sim.url, 'tiktok/refresh-token', { token: tokens.refreshToken })) as {
      result: { supersededAt: number | null };
    };
    expect(superseded.result.supersededAt).toBeGreaterThanOrEqual(connection.created_at.getTime());
  });

  it('two processes refreshing one connection at once: exactly one call reaches TikTok', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'tiktok');
    await control('latency', { platform: 'tiktok', route: 'POST /open_api/v1.3/oauth2/refresh_token/', ms: 300 });
    const before = refreshCalls();
    const outcomes = await Promise.all([
      refreshConnection(processDeps(), keyOf(connection), { force: true }),
      refreshConnection(processDeps(secondProcess), keyOf(connection), { force: true }),
    ]);
    await control('faults/clear', {});
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['refreshed', 'skipped']);
    expect(refreshCalls() - before).toBe(1);
  });

  it('a refresh that lost a race to another writer is a race, not a revocation', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'tiktok');
    // Two processes whose locks do not see each other (as after a lock expired), both slowed down so both
    // read the same credentials before either writes: one rotates, the other's refresh token is then dead.
    await control('latency', { platform: 'tiktok', route: 'POST /open_api/v1.3/oauth2/refresh_token/', ms: 200 });
    const outcomes = await Promise.all([
      refreshConnection(processDeps(env.redis, `${env.queuePrefix}:a`), keyOf(connection), { force: true }),
      refreshConnection(processDeps(secondProcess, `${env.queuePrefix}:b`), keyOf(connection), { force: true }),
    ]);
    await control('faults/clear', {});
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['race', 'refreshed']);
    expect((await findConnection(env.db, keyOf(connection)))?.status).toBe('active');
    expect(await refreshConnection(processDeps(), keyOf(connection), { force: true })).toEqual({ kind: 'refreshed' });
  });

  it('tokens TikTok issued while Postgres dropped away are kept, and stored by the next try without a new call', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'tiktok');
    const postgres = new URL(env.databaseUrl);
    const proxy = await startTcpProxy({ host: postgres.hostname, port: Number(postgres.port || 5432) });
    const proxied = new URL(env.databaseUrl);
    proxied.host = proxy.address;
    const db = createDatabase({ url: proxied.toString(), poolMax: 2 });
    const deps = refreshDepsForTest({ db, redis: env.redis, lockPrefix: env.queuePrefix, producer, platforms });
    try {
      // Postgres goes away while TikTok is rotating the refresh token: the new tokens cannot be written.
      await control('latency', { platform: 'tiktok', route: 'POST /open_api/v1.3/oauth2/refresh_token/', ms: 500 });
      const before = refreshCalls();
      const refresh = refreshConnection(deps, keyOf(connection), { force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      proxy.cut();
      await expect(refresh).rejects.toSatisfy(isDependencyUnavailable);
      await control('faults/clear', {});
      expect(refreshCalls() - before).toBe(1);
      expect((await findConnection(env.db, keyOf(connection)))?.credentials_version).toBe(
        connection.credentials_version,
      );

      // Back again: the next try stores the kept tokens and asks TikTok nothing (the old refresh token is dead).
      proxy.restore();
      expect(await refreshConnection(deps, keyOf(connection), { force: true })).toEqual({ kind: 'refreshed' });
      expect(refreshCalls() - before).toBe(1);
      const stored = await findConnection(env.db, keyOf(connection));
      expect(stored).toMatchObject({ status: 'active', credentials_version: connection.credentials_version + 1 });
      // They are the live ones: the refresh after that rotates them again.
      expect(await refreshConnection(deps, keyOf(connection), { force: true })).toEqual({ kind: 'refreshed' });
      expect(refreshCalls() - before).toBe(2);
    } finally {
      await db.destroy();
      await proxy.close();
    }
  });
});

describe('failures', () => {
  it('a grant revoked at the platform → needs_reauth at once, with an event', async () => {
    const { connection, tokens } = await connectForTest(env.db, platforms, 'google', { accounts: ['1000000015'] });
    await control('revoke', { platform: 'google', token: tokens.refreshToken });
    expect(await refreshConnection(processDeps(), keyOf(connection), { force: true })).toEqual({
      kind: 'needs_reauth',
      code: 'invalid_grant',
    });
    const after = await findConnection(env.db, keyOf(connection));
    expect(after).toMatchObject({ status: 'needs_reauth', last_error_code: 'token_revoked', next_refresh_at: null });
    const [event] = (await listConnectionEvents(env.db, keyOf(connection), { limit: 1 })).events;
    expect(event?.type).toBe('needs_reauth');
    expect(await refreshConnection(processDeps(), keyOf(connection), { force: true })).toEqual({
      kind: 'skipped',
      reason: 'not_live',
    });
  });

  it('transient failures back off, degrade only after several in a row, and recover', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'google', { accounts: ['1000000015'] });
    await control('faults', {
      platform: 'google',
      route: 'POST /oauth2/token',
      count: DEGRADED_AFTER_FAILURES,
      status: 503,
      body: { error: 'temporarily_unavailable' },
    });
    const deps = processDeps();
    for (let attempt = 1; attempt <= DEGRADED_AFTER_FAILURES; attempt += 1) {
      const outcome = await refreshConnection(deps, keyOf(connection), { force: true });
      expect(outcome.kind).toBe('retry_later');
      const row = await findConnection(env.db, keyOf(connection));
      expect(row?.status).toBe(attempt < DEGRADED_AFTER_FAILURES ? 'active' : 'degraded');
      expect(row?.consecutive_failures).toBe(attempt);
      expect(row?.next_refresh_at?.getTime()).toBeGreaterThan(Date.now());
    }
    expect(await refreshConnection(deps, keyOf(connection), { force: true })).toEqual({ kind: 'refreshed' });
    expect(await findConnection(env.db, keyOf(connection))).toMatchObject({
      status: 'active',
      consecutive_failures: 0,
      last_error_code: null,
    });
    const types = (await listConnectionEvents(env.db, keyOf(connection), { limit: 100 })).events.map(
      (event) => event.type,
    );
    expect(types).toEqual(['recovered', 'degraded']);
  });

  it('a throttle obeys the platform and counts as no failure', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'tiktok');
    await control('faults', {
      platform: 'tiktok',
      route: 'POST /open_api/v1.3/oauth2/refresh_token/',
      count: 1,
      status: 200,
      body: { code: 40100, message: 'Too many requests.', request_id: 'r', data: {} },
    });
    const outcome = await refreshConnection(processDeps(), keyOf(connection), { force: true });
    expect(outcome.kind).toBe('retry_later');
    const row = await findConnection(env.db, keyOf(connection));
    expect(row?.consecutive_failures).toBe(0);
    expect(row?.status).toBe('active');
  });
});

describe('tokens that cannot be refreshed', () => {
  it('TikTok long-term: an advertiser in an unknown time zone leaves the connection healthy and stores nothing (issue 19)', async () => {
    // The simulator's long-term app: tokens without expiry or refresh token, so the check lists advertisers.
    const settings = simulatorProviderSettings(sim.url, 'http://adsync.test');
    const longTerm = createPlatformClients({
      target: 'simulator',
      settings: {
        ...settings,
        tiktok: { ...settings.tiktok, appId: '7100000000000000002', secret: 'sim-tiktok-secret-long-term' },
      },
      configured: PROVIDER_IDS,
    });
    const US = '7000000000000000001';
    const { connection, tokens } = await connectForTest(env.db, longTerm, 'tiktok', { accounts: [US] });
    const discovered = await longTerm.oauth('tiktok').listAccounts(tokens);
    if (!discovered.ok) throw new Error(discovered.error.message);
    await upsertAdAccounts(env.db, { ...keyOf(connection), provider: 'tiktok' }, discovered.value, () => true);

    const infoRoute = 'GET /open_api/v1.3/advertiser/info/';
    const asked = () => sim.context.recorder.requestCounts()[`tiktok ${infoRoute}`] ?? 0;
    const advertiser = { advertiser_id: US, name: 'Acme TikTok US', currency: 'USD' };
    await control('faults', {
      platform: 'tiktok',
      route: infoRoute,
      status: 200,
      body: {
        code: 0,
        message: 'OK',
        request_id: 'r',
        data: { list: [{ ...advertiser, display_timezone: 'Mars/Olympus_Mons', timezone: 'Mars/Olympus_Mons' }] },
      },
    });
    const before = asked();
    const log = createCapturingLogger('refresh-test');
    const deps = {
      ...refreshDepsForTest({
        db: env.db,
        redis: env.redis,
        lockPrefix: env.queuePrefix,
        producer,
        platforms: longTerm,
      }),
      logger: log.logger,
    };
    expect(await refreshConnection(deps, keyOf(connection), { force: true })).toEqual({ kind: 'healthy' });
    expect(asked() - before).toBe(1);
    expect(await findConnection(env.db, keyOf(connection))).toMatchObject({
      status: 'active',
      consecutive_failures: 0,
      last_error_code: null,
    });
    expect((await listConnectionEvents(env.db, keyOf(connection), { limit: 10 })).events).toEqual([]);
    const stored = await listAdAccounts(env.db, keyOf(connection));
    expect(stored.map((account) => [account.external_id, account.timezone])).toEqual([[US, 'America/Los_Angeles']]);
    const refused = log.lines
      .map((line) => JSON.parse(line) as { msg: string; reason?: string })
      .find((line) => line.msg === 'the platform took the credentials but its answer was refused');
    expect(refused?.reason).toContain('the time zone "Mars/Olympus_Mons"');
  });

  it('Meta: a healthy token gets its daily check; past its expiry it needs re-authorization', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'meta', { accounts: ['act_1000000001'] });
    const checked = await refreshConnection(processDeps(), keyOf(connection), { force: true });
    expect(checked).toEqual({ kind: 'healthy' });
    const row = await findConnection(env.db, keyOf(connection));
    expect((row?.next_refresh_at?.getTime() ?? 0) - Date.now()).toBeGreaterThan(23 * 3_600_000);

    const afterExpiry = (row?.access_token_expires_at?.getTime() ?? 0) + 1;
    const late = processDeps(env.redis, env.queuePrefix, () => afterExpiry);
    expect(await refreshConnection(late, keyOf(connection), { force: true })).toEqual({
      kind: 'needs_reauth',
      code: 'invalid_grant',
    });
  });

  it('Meta: a token the person removed the app for fails its health check with 190 → needs_reauth', async () => {
    const { connection, tokens } = await connectForTest(env.db, platforms, 'meta', { accounts: ['act_1000000001'] });
    await control('revoke', { platform: 'meta', token: tokens.accessToken });
    expect(await refreshConnection(processDeps(), keyOf(connection), { force: true })).toMatchObject({
      kind: 'needs_reauth',
    });
    expect((await findConnection(env.db, keyOf(connection)))?.last_error_message).toMatch(/Reconnect Meta/);
  });

  it('Meta: the brand is warned once at 14, 7, 3 and 1 days before a token expires', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'meta', { accounts: ['act_1000000001'] });
    const expiresAt = connection.access_token_expires_at?.getTime() ?? 0;
    const warnings = async () =>
      (await listConnectionEvents(env.db, keyOf(connection), { limit: 100 })).events
        .filter((event) => event.type === 'expiry_warning')
        .map((event) => event.detail.daysLeft);
    const checkAt = async (daysBefore: number) => {
      const at = () => expiresAt - daysBefore * 86_400_000;
      expect(
        await refreshConnection(processDeps(env.redis, env.queuePrefix, at), keyOf(connection), { force: true }),
      ).toEqual({
        kind: 'healthy',
      });
    };
    await checkAt(20);
    expect(await warnings()).toEqual([]);
    await checkAt(13.5);
    await checkAt(13);
    expect(await warnings()).toEqual([14]);
    await checkAt(6.5);
    await checkAt(0.5);
    expect(await warnings()).toEqual([1, 7, 14]);
    const queued = await producer.queue('webhooks').getJobCounts('waiting', 'delayed', 'prioritized');
    expect((queued.waiting ?? 0) + (queued.delayed ?? 0) + (queued.prioritized ?? 0)).toBeGreaterThanOrEqual(3);
  });

  it('nothing happens before a connection is due, unless forced', async () => {
    const { connection } = await connectForTest(env.db, platforms, 'meta', { accounts: ['act_1000000001'] });
    expect(await refreshConnection(processDeps(), keyOf(connection))).toEqual({ kind: 'skipped', reason: 'not_due' });
  });
});
