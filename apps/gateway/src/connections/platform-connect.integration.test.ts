// Google Ads and TikTok connect flows end to end over real HTTP: several accounts wait for the admin's
// choice, one account connects at once, a denial stores nothing.

import { createTenantWithKey, listAdAccounts, listConnections } from '@adsync/db';
import { describe, expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

interface PlatformCase {
  provider: string;
  /** What the consent page grants when every box stays checked, as discovered accounts. */
  discoveredWhenAllGranted: string[];
  /** A grant that reaches exactly one account, and that account. */
  single: { grant: string[]; account: string };
  denialParameter: string;
  /** How long before its access token expires a new connection is first refreshed. */
  firstRefreshLeadMs: (tokenLifeMs: number) => number;
}

const CASES: PlatformCase[] = [
  {
    provider: 'google',
    // The manager is not an ad account: its five clients are found through it, plus the direct account.
    discoveredWhenAllGranted: ['1000000011', '1000000012', '1000000013', '1000000014', '1000000015', '1000000016'],
    single: { grant: ['1000000015'], account: '1000000015' },
    denialParameter: 'error',
    // REFRESH_MARGIN_SECONDS' default.
    firstRefreshLeadMs: () => 600_000,
  },
  {
    provider: 'tiktok',
    discoveredWhenAllGranted: [
      '7000000000000000001',
      '7000000000000000002',
      '7000000000000000003',
      '7000000000000000004',
      '7000000000000000005',
    ],
    single: { grant: ['7000000000000000003'], account: '7000000000000000003' },
    denialParameter: 'error',
    // A rotating token is renewed at half its life.
    firstRefreshLeadMs: (tokenLifeMs) => tokenLifeMs / 2,
  },
];

for (const platform of CASES) {
  describe(platform.provider, () => {
    it('several accounts: pending, then active with the chosen ones', async () => {
      const { tenant, apiKey } = await createTenantWithKey(env.db, { name: `${platform.provider} many`, keyName: 't' });
      const { response } = await connectByHttp(testbed.gateway.url, apiKey, platform.provider);
      expect(response.status).toBe(200);
      const [connection] = await listConnections(env.db, tenant.id);
      expect(connection?.status).toBe('pending');
      const discovered = (await listAdAccounts(env.db, { tenantId: tenant.id })).map((row) => row.external_id).sort();
      expect(discovered).toEqual(platform.discoveredWhenAllGranted);

      const chosen = platform.discoveredWhenAllGranted.slice(0, 2);
      const selected = await api(testbed.gateway.url, apiKey, 'PUT', `/v1/connections/${connection?.id}/accounts`, {
        selected: chosen,
      });
      expect(selected.body.status).toBe('active');
      const accounts = selected.body.accounts as {
        externalId: string;
        selected: boolean;
        currency: string;
        timezone: string;
      }[];
      expect(
        accounts
          .filter((account) => account.selected)
          .map((account) => account.externalId)
          .sort(),
      ).toEqual(chosen);
      for (const account of accounts) {
        expect(account.currency).toMatch(/^[A-Z]{3}$/);
        // An IANA zone Intl knows (e.g. America/New_York, or UTC).
        expect(() => new Intl.DateTimeFormat('en', { timeZone: account.timezone })).not.toThrow();
      }
    });

    it('one account: active at once, its first refresh planned', async () => {
      const { tenant, apiKey } = await createTenantWithKey(env.db, { name: `${platform.provider} one`, keyName: 't' });
      await connectByHttp(testbed.gateway.url, apiKey, platform.provider, { accounts: platform.single.grant });
      const [connection] = await listConnections(env.db, tenant.id);
      expect(connection?.status).toBe('active');
      expect(connection?.access_token_ciphertext).toMatch(/^v1\./);
      const issuedAt = connection?.last_refreshed_at?.getTime() ?? 0;
      const expiresAt = connection?.access_token_expires_at?.getTime() ?? 0;
      const lead = expiresAt - (connection?.next_refresh_at?.getTime() ?? 0);
      expect(Math.abs(lead - platform.firstRefreshLeadMs(expiresAt - issuedAt))).toBeLessThan(5_000);
      const selected = (await listAdAccounts(env.db, { tenantId: tenant.id })).filter((row) => row.selected);
      expect(selected.map((row) => row.external_id)).toEqual([platform.single.account]);
    });

    it('a denial stores nothing', async () => {
      const { tenant, apiKey } = await createTenantWithKey(env.db, {
        name: `${platform.provider} denies`,
        keyName: 't',
      });
      const { callbackUrl, response } = await connectByHttp(testbed.gateway.url, apiKey, platform.provider, {
        decision: 'deny',
      });
      expect(callbackUrl.searchParams.get(platform.denialParameter)).not.toBeNull();
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('authorization_denied');
      expect(await listConnections(env.db, tenant.id)).toEqual([]);
    });
  });
}
