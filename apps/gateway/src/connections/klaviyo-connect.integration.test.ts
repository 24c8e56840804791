// Klaviyo both ways: a private key checked against the API before anything is stored, and OAuth with PKCE.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { KLAVIYO_ACCOUNT, KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const [FULL_KEY, READ_ONLY_KEY] = KLAVIYO_PRIVATE_KEYS;
// Klaviyo's account endpoint allows one call a second per account: each test starts with fresh counters.
beforeEach(async () => {
  await fetch(`${testbed.sim.url}/_control/reset`, { method: 'POST' });
});

const newTenant = (name: string) => createTenantWithKey(env.db, { name, keyName: 't' });

describe('Klaviyo private key', () => {
  it('a full key connects at once: sealed, never shown, account selected, first syncs queued', async () => {
    const { tenant, apiKey } = await newTenant('Key');
    // Jobs of a tenant wait in priority order (tenant fairness), so they count as prioritized.
    const queued = async () => {
      const counts = await testbed.gateway.deps.producer.queue('klaviyo-sync').getJobCounts('waiting', 'prioritized');
      return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    };
    const waitingBefore = await queued();
    const answer = await api(testbed.gateway.url, apiKey, 'POST', '/v1/connections/klaviyo/api-key', {
      privateKey: FULL_KEY.key,
      publicKey: KLAVIYO_ACCOUNT.publicApiKey,
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      provider: 'klaviyo',
      status: 'active',
      authMethod: 'api_key',
      accounts: [
        {
          externalId: KLAVIYO_ACCOUNT.id,
          name: 'Acme Store',
          currency: 'USD',
          timezone: 'America/New_York',
          selected: true,
        },
      ],
    });
    expect(JSON.stringify(answer.body)).not.toContain(FULL_KEY.key);
    const [row] = await listConnections(env.db, tenant.id);
    expect(row?.api_key_ciphertext).toMatch(/^v1\./);
    expect(row?.public_key).toBe(KLAVIYO_ACCOUNT.publicApiKey);
    // A key never expires: the sweep checks it with Klaviyo a day later (HEALTH_CHECK_INTERVAL_SECONDS).
    const firstCheckIn = (row?.next_refresh_at?.getTime() ?? 0) - Date.now();
    expect(firstCheckIn).toBeGreaterThan(86_400_000 - 60_000);
    expect(firstCheckIn).toBeLessThanOrEqual(86_400_000);
    expect(await queued()).toBe(waitingBefore + 3);
  });

  it('refuses, storing nothing: missing scopes, not a private key, another account’s public key, a bad body', async () => {
    const { tenant, apiKey } = await newTenant('Refused');
    const post = (body: unknown) => api(testbed.gateway.url, apiKey, 'POST', '/v1/connections/klaviyo/api-key', body);

    const readOnly = await post({ privateKey: READ_ONLY_KEY.key });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error?.code).toBe('klaviyo_key_missing_scopes');
    expect(readOnly.body.error?.message).toMatch(/segments:read/);
    expect(readOnly.body.error?.message).not.toContain(READ_ONLY_KEY.key);

    await fetch(`${testbed.sim.url}/_control/reset`, { method: 'POST' });
    expect((await post({ privateKey: 'sk_live_nope' })).body.error?.code).toBe('invalid_klaviyo_key');
    expect((await post({ privateKey: FULL_KEY.key, publicKey: 'XyZ999' })).body.error?.code).toBe(
      'invalid_klaviyo_key',
    );
    expect((await post({ privateKey: 42 })).body.error?.code).toBe('invalid_request');
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
  });
});

describe('Klaviyo OAuth', () => {
  it('a denial stores nothing', async () => {
    const { tenant, apiKey } = await newTenant('OAuth denied');
    const { callbackUrl, response } = await connectByHttp(testbed.gateway.url, apiKey, 'klaviyo', { decision: 'deny' });
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(response.status).toBe(400);
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
  });

  it('connects with PKCE; a key posted later replaces it on the same connection', async () => {
    const { tenant, apiKey } = await newTenant('OAuth');
    const { authorizeUrl, response } = await connectByHttp(testbed.gateway.url, apiKey, 'klaviyo');
    expect(new URL(authorizeUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(response.status).toBe(200);
    const [oauth] = await listConnections(env.db, tenant.id);
    expect(oauth).toMatchObject({ status: 'active', auth_method: 'oauth' });
    expect(oauth?.refresh_token_ciphertext).toMatch(/^v1\./);

    await fetch(`${testbed.sim.url}/_control/reset`, { method: 'POST' });
    const switched = await api(testbed.gateway.url, apiKey, 'POST', '/v1/connections/klaviyo/api-key', {
      privateKey: FULL_KEY.key,
    });
    expect(switched.status).toBe(200);
    expect(switched.body).toMatchObject({ id: oauth?.id, authMethod: 'api_key', status: 'active' });
    const [after] = await listConnections(env.db, tenant.id);
    expect([after?.access_token_ciphertext, after?.refresh_token_ciphertext]).toEqual([null, null]);
  });
});
