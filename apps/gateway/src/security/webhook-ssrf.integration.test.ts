// A tenant's webhook URL cannot aim adsync at its own network (security review, issue 19 item 2), tried as the
// review did: PUT /v1/webhook with loopback, metadata, private and IPv6 addresses. Each is refused when it is
// saved and nothing is stored; what is sent later is guarded again in worker-refresh (see
// packages/connections/src/webhooks/deliver-webhook.integration.test.ts for sending and DNS rebinding).

import { createTenantWithKey, findTenant } from '@adsync/db';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
let onPremises: TestGateway;

beforeAll(async () => {
  onPremises = await startTestGateway({
    db: env.db,
    redisUrl: env.redisUrl,
    queuePrefix: env.queuePrefix,
    environment: { OUTBOUND_ALLOWED_PRIVATE_HOSTS: 'hooks.corp.internal, 10.20.0.0/16' },
  });
});
afterAll(async () => onPremises.close());

const REFUSED = [
  'http://127.0.0.1:3000/adsync',
  'http://127.1:6379/',
  'http://2130706433/',
  'http://localhost:5432/',
  'http://hooks.localhost/',
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://[::1]:5432/',
  'http://[::ffff:127.0.0.1]:3000/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://0.0.0.0:6379/',
  'http://10.0.0.5/hooks',
  'http://192.168.0.10/hooks',
  'http://100.64.1.1/hooks',
  'http://[fd00::1]/hooks',
  'http://[fe80::1]/hooks',
  'http://224.0.0.251/',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_FLUSHALL',
];

it('refuses every address on adsync’s own networks, and stores nothing', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'SSRF', keyName: 't' });
  for (const url of REFUSED) {
    const answer = await api(testbed.gateway.url, apiKey, 'PUT', '/v1/webhook', { url });
    expect({ url, status: answer.status, code: answer.body.error?.code }).toEqual({
      url,
      status: 400,
      code: 'invalid_webhook_url',
    });
    expect(answer.body).not.toHaveProperty('secret');
  }
  const stored = await findTenant(env.db, tenant.id);
  expect([stored?.webhook_url, stored?.webhook_secret_ciphertext]).toEqual([null, null]);
});

it('takes public URLs, and the private hosts an operator allows', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Public hooks', keyName: 't' });
  for (const url of ['https://hooks.brand.example/adsync', 'https://93.184.216.34/adsync']) {
    expect((await api(testbed.gateway.url, apiKey, 'PUT', '/v1/webhook', { url })).status).toBe(200);
  }
  for (const url of ['https://hooks.corp.internal/adsync', 'https://10.20.4.5/adsync']) {
    expect((await api(onPremises.url, apiKey, 'PUT', '/v1/webhook', { url })).status).toBe(200);
  }
  // The allow-list names those hosts only.
  const other = await api(onPremises.url, apiKey, 'PUT', '/v1/webhook', { url: 'https://10.21.0.1/adsync' });
  expect(other.body.error?.code).toBe('invalid_webhook_url');
});
