// Tenant B holds a valid API key but none of tenant A's connections: every route answers 404 and A's
// connection does not change.

import { createTenantWithKey, listAdAccounts, listApiKeys, listConnections, revokeApiKey } from '@adsync/db';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

it("tenant B cannot list, read, select on, disconnect or reconnect tenant A's connection", async () => {
  const a = await createTenantWithKey(env.db, { name: 'A', keyName: 't' });
  const b = await createTenantWithKey(env.db, { name: 'B', keyName: 't' });
  await connectByHttp(testbed.gateway.url, a.apiKey, 'meta');
  const [connection] = await listConnections(env.db, a.tenant.id);
  const id = connection?.id ?? '';
  const snapshot = async () => ({
    connection: (await listConnections(env.db, a.tenant.id))[0],
    accounts: await listAdAccounts(env.db, { tenantId: a.tenant.id }),
  });
  const before = await snapshot();

  expect((await api(testbed.gateway.url, b.apiKey, 'GET', '/v1/connections')).body).toEqual({ connections: [] });
  const attempts: [string, string, unknown?][] = [
    ['GET', `/v1/connections/${id}`],
    ['GET', `/v1/connections/${id}/events`],
    ['PUT', `/v1/connections/${id}/accounts`, { selected: ['act_1000000001'] }],
    ['POST', `/v1/connections/${id}/disconnect`],
    ['POST', `/v1/connections/${id}/reconnect`],
  ];
  for (const [method, path, body] of attempts) {
    const answer = await api(testbed.gateway.url, b.apiKey, method, path, body);
    expect(answer.status, `${method} ${path}`).toBe(404);
    expect(answer.body.error?.code).toBe('connection_not_found');
  }
  expect(await snapshot()).toEqual(before);
  expect((await api(testbed.gateway.url, a.apiKey, 'GET', `/v1/connections/${id}`)).status).toBe(200);
});

it('no key, an unknown key or a revoked key gets 401', async () => {
  const tenant = await createTenantWithKey(env.db, { name: 'C', keyName: 't' });
  expect((await fetch(`${testbed.gateway.url}/v1/connections`)).status).toBe(401);
  expect((await api(testbed.gateway.url, 'adsync_not-a-real-key', 'GET', '/v1/connections')).status).toBe(401);
  const [key] = await listApiKeys(env.db, tenant.tenant.id);
  await revokeApiKey(env.db, { tenantId: tenant.tenant.id, keyId: key?.id ?? '' });
  const revoked = await api(testbed.gateway.url, tenant.apiKey, 'GET', '/v1/connections');
  expect(revoked.status).toBe(401);
  expect(revoked.body.error?.code).toBe('unauthorized');
  expect((await api(testbed.gateway.url, tenant.apiKey, 'GET', '/v1/connections/not-a-uuid')).status).toBe(401);
});
