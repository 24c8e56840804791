import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTenant, insertConnection, recordConnectionEvent, setTenantWebhook } from '@adsync/db';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_KEYRING } from '../testing/connected-connection.ts';
import { deliverWebhook } from './deliver-webhook.ts';
import { SIGNATURE_HEADER, sealWebhookSecret, verifyWebhook } from './webhook-signature.ts';

const env = useTestEnvironment();
const received: { body: string; signature: string }[] = [];
let answer = 200;
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ body, signature: String(request.headers[SIGNATURE_HEADER]) });
      response.statusCode = answer;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=tenant-own-token`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function eventFixture(withWebhook: boolean) {
  const tenant = await createTenant(env.db, { name: 'Hooked' });
  const secret = 'whsec_test-secret-for-this-tenant';
  if (withWebhook) {
    await setTenantWebhook(env.db, tenant.id, {
      url,
      secretCiphertext: sealWebhookSecret(TEST_KEYRING, tenant.id, secret),
    });
  }
  const connection = await insertConnection(env.db, {
    tenant_id: tenant.id,
    provider: 'google',
    auth_method: 'oauth',
    status: 'needs_reauth',
  });
  const event = await recordConnectionEvent(env.db, {
    tenantId: tenant.id,
    connectionId: connection.id,
    type: 'needs_reauth',
    message: 'Google refused to refresh the access token: Token has been expired or revoked. Reconnect Google Ads.',
    detail: { platformCode: 'invalid_grant' },
  });
  return { tenant, connection, secret, job: { tenantId: tenant.id, eventId: Number(event.id) } };
}

it('POSTs the event signed with the tenant secret; the receiver can verify it', async () => {
  const { connection, secret, job } = await eventFixture(true);
  answer = 200;
  const outcome = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING }, job);
  expect(outcome).toEqual({ delivered: true, status: 200 });
  const last = received.at(-1);
  expect(verifyWebhook(secret, last?.body ?? '', last?.signature ?? '', Math.floor(Date.now() / 1000))).toBe(true);
  expect(verifyWebhook('whsec_wrong', last?.body ?? '', last?.signature ?? '', Math.floor(Date.now() / 1000))).toBe(
    false,
  );
  expect(JSON.parse(last?.body ?? '{}')).toMatchObject({
    id: String(job.eventId),
    type: 'connection.needs_reauth',
    data: { connectionId: connection.id, provider: 'google', detail: { platformCode: 'invalid_grant' } },
  });
});

it('a non-2xx answer throws so the job retries, naming the host only; no webhook means nothing to do', async () => {
  const { job } = await eventFixture(true);
  answer = 503;
  const failure = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING }, job).catch((error: Error) => error);
  expect(String(failure)).toMatch(/answered 503/);
  expect(String(failure)).not.toContain('tenant-own-token');
  answer = 200;
  const quiet = await eventFixture(false);
  expect(await deliverWebhook({ db: env.db, keyring: TEST_KEYRING }, quiet.job)).toEqual({
    delivered: false,
    reason: 'no_webhook',
  });
});
