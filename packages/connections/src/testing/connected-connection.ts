// Test fixtures: platform clients pointed at a simulator, and a connection authorized through the real
// consent flow and stored the way the gateway stores one — for tests of what happens after connecting.

import { randomUUID } from 'node:crypto';
import { createKeyring, createPkcePair, type Keyring } from '@adsync/crypto';
import { type Connection, createTenant, type Db, insertConnection, updateConnection } from '@adsync/db';
import { createLogger } from '@adsync/logging';
import { PROVIDER_IDS, type ProviderId, simulatorProviderSettings, type TokenSet } from '@adsync/providers';
import type { QueueProducer } from '@adsync/queues';
import { completeConsent } from '@adsync/simulator';
import type { Redis } from 'ioredis';
import { sealedTokenColumns } from '../credentials.ts';
import { createPlatformClients, type PlatformClients } from '../platform-clients.ts';
import type { CallLimiter, RefreshDeps } from '../refresh/refresh-connection.ts';
import { firstCredentialCheckAt } from '../refresh/refresh-policy.ts';
import { createSingleFlight } from '../refresh/single-flight.ts';
import { createTokenStash } from '../refresh/token-stash.ts';

export const TEST_KEYRING: Keyring = createKeyring([{ id: 'test', key: Buffer.alloc(32, 9) }]);

export function simulatorPlatforms(simulatorUrl: string): PlatformClients {
  return createPlatformClients({
    target: 'simulator',
    settings: simulatorProviderSettings(simulatorUrl, 'http://adsync.test'),
    configured: PROVIDER_IDS,
  });
}

/** Authorizes `provider` at the simulator and stores the connection as active, due for its first check. */
export async function connectForTest(
  db: Db,
  platforms: PlatformClients,
  provider: ProviderId,
  options: { accounts?: readonly string[]; tenantId?: string; nextRefreshAt?: Date; keyring?: Keyring } = {},
): Promise<{ connection: Connection; tokens: TokenSet }> {
  const client = platforms.oauth(provider);
  const pkce = createPkcePair();
  const landed = await completeConsent(
    client.authorizationUrl({ state: 'test', ...(client.usesPkce ? { codeChallenge: pkce.challenge } : {}) }),
    { decision: 'approve', ...(options.accounts === undefined ? {} : { accounts: options.accounts }) },
  );
  const outcome = client.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(`consent failed: ${outcome.message}`);
  const exchanged = await client.exchangeCode({
    code: outcome.code,
    ...(client.usesPkce ? { codeVerifier: pkce.verifier } : {}),
  });
  if (!exchanged.ok) throw new Error(`exchange failed: ${exchanged.error.message}`);
  const tenantId = options.tenantId ?? (await createTenant(db, { name: `tenant ${randomUUID().slice(0, 8)}` })).id;
  const id = randomUUID();
  const now = Date.now();
  const firstCheckAt = firstCredentialCheckAt(
    {
      provider,
      accessTokenExpiresAt: exchanged.value.accessTokenExpiresAt,
      hasRefreshToken: exchanged.value.refreshToken !== null,
    },
    { marginMs: 600_000, healthCheckIntervalMs: 86_400_000 },
    now,
  );
  await insertConnection(db, { id, tenant_id: tenantId, provider, auth_method: 'oauth', status: 'active' });
  const connection = await updateConnection(
    db,
    { tenantId, connectionId: id },
    {
      ...sealedTokenColumns(options.keyring ?? TEST_KEYRING, { tenantId, connectionId: id }, exchanged.value),
      next_refresh_at: options.nextRefreshAt ?? firstCheckAt,
      last_refreshed_at: new Date(now),
    },
  );
  if (connection === undefined) throw new Error('the connection was not stored');
  return { connection, tokens: exchanged.value };
}

/** What one refreshing "process" holds in a test: its own Redis client and lock prefix tell processes apart. */
export function refreshDepsForTest(options: {
  db: Db;
  redis: Redis;
  lockPrefix: string;
  producer: QueueProducer;
  platforms: PlatformClients;
  limiter?: CallLimiter;
  now?: () => number;
}): RefreshDeps {
  return {
    db: options.db,
    producer: options.producer,
    keyring: TEST_KEYRING,
    platforms: options.platforms,
    singleFlight: createSingleFlight(options.redis, { keyPrefix: options.lockPrefix, lockMs: 30_000 }),
    tokenStash: createTokenStash(options.redis, TEST_KEYRING, { keyPrefix: options.lockPrefix }),
    timing: { marginMs: 600_000, healthCheckIntervalMs: 86_400_000 },
    logger: createLogger({ name: 'refresh-test', level: 'silent', format: 'json' }),
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
    ...(options.now === undefined ? {} : { now: options.now }),
  };
}
