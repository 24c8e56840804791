// A connect flow that fails half way leaves nothing behind, and a grant missing a required permission is
// stored with a visible warning.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { expect, it } from 'vitest';
import { connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

// adsync asks Meta for ads_read only here, so every grant lacks ads_management.
const testbed = useGatewayWithSimulator({ environment: { META_SCOPES: 'ads_read,business_management' } });
const { env } = testbed;

async function failNext(route: string, status: number, body: unknown) {
  await fetch(`${testbed.sim.url}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'meta', route, count: 1, status, body }),
  });
}

it('a failed code exchange or account discovery stores nothing', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Half way', keyName: 't' });
  const graphError = { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 2 } };

  await failNext('GET /graph/*/oauth/access_token', 500, graphError);
  const exchange = await connectByHttp(testbed.gateway.url, apiKey, 'meta');
  expect(exchange.response.status).toBe(400);
  expect(await exchange.response.text()).toContain('token_exchange_failed');

  await failNext('GET /graph/*/me/adaccounts', 500, graphError);
  const discovery = await connectByHttp(testbed.gateway.url, apiKey, 'meta');
  expect(await discovery.response.text()).toContain('account_discovery_failed');

  expect(await listConnections(env.db, tenant.id)).toEqual([]);
});

it('a grant without a required permission is stored with a missing_scopes warning the admin sees', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Declined', keyName: 't' });
  const { response } = await connectByHttp(testbed.gateway.url, apiKey, 'meta', {
    accounts: ['act_1000000001'],
    returnTo: '/done',
  });
  const landed = new URL(response.headers.get('location') ?? '');
  expect(landed.searchParams.get('missing_scopes')).toBe('ads_management');
  const [connection] = await listConnections(env.db, tenant.id);
  expect(connection).toMatchObject({ status: 'active', last_error_code: 'missing_scopes' });
  expect(connection?.last_error_message).toContain('ads_management');
});
