// The Meta connect flow end to end over real HTTP: gateway, Postgres, Redis and the simulator.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { completeConsent } from '@adsync/simulator';
import { describe, expect, it } from 'vitest';
import { api, connectByHttp, openConnectLink, TestBrowser } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

async function newTenant(name: string) {
  return createTenantWithKey(env.db, { name, keyName: 'test' });
}

async function waitingJobs(queue: 'spend-nightly' | 'spend-hourly'): Promise<number> {
  const counts = await testbed.gateway.deps.producer.queue(queue).getJobCounts('waiting', 'prioritized', 'delayed');
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
}

describe('Meta', () => {
  it('one shared account: connected and active at once, first syncs queued', async () => {
    const { tenant, apiKey } = await newTenant('One account');
    const nightlyBefore = await waitingJobs('spend-nightly');
    const { authorizeUrl, response } = await connectByHttp(testbed.gateway.url, apiKey, 'meta', {
      accounts: ['act_1000000002'],
    });
    expect(new URL(authorizeUrl).pathname).toBe('/meta/www/v25.0/dialog/oauth');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('meta is connected');

    const { body } = await api(testbed.gateway.url, apiKey, 'GET', '/v1/connections');
    const [connection] = body.connections as Record<string, unknown>[];
    expect(connection).toMatchObject({
      provider: 'meta',
      status: 'active',
      authMethod: 'oauth',
      lastError: null,
      accounts: [
        {
          externalId: 'act_1000000002',
          name: 'Acme New Zealand',
          currency: 'NZD',
          timezone: 'Pacific/Auckland',
          selected: true,
        },
      ],
    });
    expect(Date.parse(String(connection?.accessTokenExpiresAt)) - Date.now()).toBeGreaterThan(59 * 86_400_000);
    expect(JSON.stringify(body)).not.toMatch(/EAA|ciphertext|token"/);
    // A 30-day backfill in chunks of SPEND_BACKFILL_CHUNK_DAYS (7): five jobs, most recent first.
    expect(await waitingJobs('spend-nightly')).toBe(nightlyBefore + 5);

    const [row] = await listConnections(env.db, tenant.id);
    expect(row?.access_token_ciphertext).toMatch(/^v1\./);
    expect(row?.refresh_token_ciphertext).toBeNull();
  });

  it('several accounts: pending until the admin selects, then active with syncs for the selection', async () => {
    const { apiKey } = await newTenant('Several accounts');
    const { response } = await connectByHttp(testbed.gateway.url, apiKey, 'meta', { returnTo: '/admin/connections' });
    expect(response.status).toBe(303);
    const landed = new URL(response.headers.get('location') ?? '');
    expect(landed.pathname).toBe('/admin/connections');
    expect(landed.searchParams.get('status')).toBe('pending');
    const id = landed.searchParams.get('connection_id');

    const pending = await api(testbed.gateway.url, apiKey, 'GET', `/v1/connections/${id}`);
    expect(pending.body.status).toBe('pending');
    expect((pending.body.accounts as unknown[]).length).toBe(5);

    const rejected = await api(testbed.gateway.url, apiKey, 'PUT', `/v1/connections/${id}/accounts`, {
      selected: ['act_9'],
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error?.code).toBe('unknown_ad_account');
    expect((await api(testbed.gateway.url, apiKey, 'GET', `/v1/connections/${id}`)).body.status).toBe('pending');

    const hourlyBefore = await waitingJobs('spend-hourly');
    const selected = await api(testbed.gateway.url, apiKey, 'PUT', `/v1/connections/${id}/accounts`, {
      selected: ['act_1000000001', 'act_1000000003'],
    });
    expect(selected.status).toBe(200);
    expect(selected.body.status).toBe('active');
    expect((selected.body.accounts as { selected: boolean }[]).filter((account) => account.selected)).toHaveLength(2);
    expect(await waitingJobs('spend-hourly')).toBe(hourlyBefore + 2);
  });

  it('a denial shows a clear page and stores nothing', async () => {
    const { tenant, apiKey } = await newTenant('Denies');
    const { callbackUrl, response } = await connectByHttp(testbed.gateway.url, apiKey, 'meta', { decision: 'deny' });
    expect(callbackUrl.searchParams.get('error_reason')).toBe('user_denied');
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('Nothing was connected');
    expect(page).toContain('authorization_denied');
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
  });

  it('disconnect revokes at Meta and wipes credentials; reconnect keeps the id and the history', async () => {
    const { tenant, apiKey } = await newTenant('Disconnects');
    await connectByHttp(testbed.gateway.url, apiKey, 'meta', { accounts: ['act_1000000001'] });
    const [before] = await listConnections(env.db, tenant.id);
    const id = before?.id ?? '';

    const disconnected = await api(testbed.gateway.url, apiKey, 'POST', `/v1/connections/${id}/disconnect`);
    expect(disconnected.body).toMatchObject({ status: 'disconnected', accounts: [{ selected: false }] });
    const [wiped] = await listConnections(env.db, tenant.id);
    expect([wiped?.access_token_ciphertext, wiped?.refresh_token_ciphertext, wiped?.api_key_ciphertext]).toEqual([
      null,
      null,
      null,
    ]);
    const revoked = testbed.sim.context.recorder.requestCounts()['meta DELETE /graph/:version/me/permissions 200'] ?? 0;
    expect(revoked).toBeGreaterThan(0);

    // Reconnecting hands out a connect link (never the platform's consent URL) for the brand admin to open.
    const reconnect = await api(testbed.gateway.url, apiKey, 'POST', `/v1/connections/${id}/reconnect`);
    expect(reconnect.status).toBe(200);
    expect(reconnect.body).toMatchObject({ provider: 'meta', url: expect.stringContaining('/oauth/connect?token=') });
    const opened = await openConnectLink(String(reconnect.body.url), new TestBrowser(testbed.gateway.url));
    const callback = await completeConsent(opened.location ?? '', {
      decision: 'approve',
      accounts: ['act_1000000001'],
    });
    expect((await opened.browser.fetch(callback)).status).toBe(200);
    const after = await api(testbed.gateway.url, apiKey, 'GET', `/v1/connections/${id}`);
    expect(after.body).toMatchObject({ id, status: 'active', disconnectedAt: null });
    const events = await api(testbed.gateway.url, apiKey, 'GET', `/v1/connections/${id}/events`);
    expect((events.body.events as { type: string }[]).map((event) => event.type)).toEqual([
      'reconnected',
      'disconnected',
      'connected',
    ]);
  });
});
