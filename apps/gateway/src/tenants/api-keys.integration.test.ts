import { createTenantWithKey } from '@adsync/db';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

const env = useTestEnvironment();
let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({ db: env.db, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix });
});
afterAll(() => gateway?.close());

it('a tenant creates a key (shown once), lists keys by prefix, and revokes one; never another tenant’s', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Keys', keyName: 'first' });
  const other = await createTenantWithKey(env.db, { name: 'Other', keyName: 'first' });

  const created = await api(gateway.url, apiKey, 'POST', '/v1/api-keys', { name: 'ci' });
  expect(created.status).toBe(201);
  const second = String(created.body.apiKey);
  expect(second).toMatch(/^adsync_/);

  const listed = await api(gateway.url, second, 'GET', '/v1/api-keys');
  const keys = listed.body.apiKeys as { id: string; name: string; prefix: string; revokedAt: string | null }[];
  expect(keys.map((key) => key.name)).toEqual(['first', 'ci']);
  expect(JSON.stringify(listed.body)).not.toContain(second);
  expect(JSON.stringify(listed.body)).not.toContain(apiKey);

  const firstId = keys[0]?.id ?? '';
  expect((await api(gateway.url, other.apiKey, 'DELETE', `/v1/api-keys/${firstId}`)).status).toBe(404);
  expect((await api(gateway.url, apiKey, 'GET', '/v1/api-keys')).status).toBe(200);
  expect((await api(gateway.url, second, 'DELETE', `/v1/api-keys/${firstId}`)).status).toBe(204);
  expect((await api(gateway.url, apiKey, 'GET', '/v1/api-keys')).status).toBe(401);
  expect((await api(gateway.url, second, 'POST', '/v1/api-keys', { name: '' })).body.error?.code).toBe(
    'invalid_request',
  );
});

it('a tenant sets its webhook (secret shown once), reads it back without the secret, and removes it', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Hooks', keyName: 'first' });
  const set = await api(gateway.url, apiKey, 'PUT', '/v1/webhook', { url: 'https://brand.example/adsync' });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ url: 'https://brand.example/adsync', secret: expect.stringMatching(/^whsec_/) });
  const read = await api(gateway.url, apiKey, 'GET', '/v1/webhook');
  expect(read.body).toEqual({ url: 'https://brand.example/adsync' });
  expect((await api(gateway.url, apiKey, 'PUT', '/v1/webhook', { url: 'ftp://nope' })).body.error?.code).toBe(
    'invalid_webhook_url',
  );
  expect((await api(gateway.url, apiKey, 'DELETE', '/v1/webhook')).status).toBe(204);
  expect((await api(gateway.url, apiKey, 'GET', '/v1/webhook')).body).toEqual({ url: null });
});
