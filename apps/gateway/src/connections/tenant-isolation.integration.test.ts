// Tenant B holds a valid API key but none of tenant A's connections: every route answers 404 and A's
// connection does not change.

import { createTenantWithKey, listAdAccounts, listApiKeys, listConnections, revokeApiKey } from '@adsync/db';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

const env = useTestEnvironment();
let sim: RunningSimulator;
let gateway: TestGateway;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  gateway = await startTestGateway({
    db: env.db,
    redisUrl: env.redisUrl,
    queuePrefix: env.queuePrefix,
    simulatorUrl: sim.url,
  });
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
});

it("tenant B cannot list, read, select on, disconnect or reconnect tenant A's connection", async () => {
  const a = await createTenantWithKey(env.db, { name: 'A', keyName: 't' });
  const b = await createTenantWithKey(env.db, { name: 'B', keyName: 't' });
  await connectByHttp(gateway.url, a.apiKey, 'meta');
  const [connection] = await listConnections(env.db, a.tenant.id);
  const id = connection?.id ?? '';
  const snapshot = async () => ({
    connection: (await listConnections(env.db, a.tenant.id))[0],
    accounts: await listAdAccounts(env.db, { tenantId: a.tenant.id }),
  });
  const before = await snapshot();

  expect((await api(gateway.url, b.apiKey, 'GET', '/v1/connections')).body).toEqual({ connections: [] });
  const attempts: [string, string, unknown?][] = [
    ['GET', `/v1/connections/${id}`],
    ['GET', `/v1/connections/${id}/events`],
    ['PUT', `/v1/connections/${id}/accounts`, { selected: ['act_1000000001'] }],
    ['POST', `/v1/connections/${id}/disconnect`],
    ['POST', `/v1/connections/${id}/reconnect`],
  ];
  for (const [method, path, body] of attempts) {
    const answer = await api(gateway.url, b.apiKey, method, path, body);
    expect(answer.status, `${method} ${path}`).toBe(404);
    expect(answer.body.error?.code).toBe('connection_not_found');
  }
  expect(await snapshot()).toEqual(before);
  expect((await api(gateway.url, a.apiKey, 'GET', `/v1/connections/${id}`)).status).toBe(200);
});

it('no key, an unknown key or a revoked key gets 401', async () => {
  const tenant = await createTenantWithKey(env.db, { name: 'C', keyName: 't' });
  expect((await fetch(`${gateway.url}/v1/connections`)).status).toBe(401);
  expect((await api(gateway.url, 'adsync_not-a-real-key', 'GET', '/v1/connections')).status).toBe(401);
  const [key] = await listApiKeys(env.db, tenant.tenant.id);
  await revokeApiKey(env.db, { tenantId: tenant.tenant.id, keyId: key?.id ?? '' });
  const revoked = await api(gateway.url, tenant.apiKey, 'GET', '/v1/connections');
  expect(revoked.status).toBe(401);
  expect(revoked.body.error?.code).toBe('unauthorized');
  expect((await api(gateway.url, tenant.apiKey, 'GET', '/v1/connections/not-a-uuid')).status).toBe(401);
});
