import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTenant, insertConnection, recordConnectionEvent, setTenantWebhook } from '@adsync/db';
import { createOutboundGuard, NO_ALLOWED_HOSTS, type OutboundGuard, parseAllowedHosts } from '@adsync/ssrf-guard';
import { useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEYRING } from '../testing/connected-connection.ts';
import { deliverWebhook } from './deliver-webhook.ts';
import { SIGNATURE_HEADER, sealWebhookSecret, verifyWebhook } from './webhook-signature.ts';

const env = useTestEnvironment();
const received: { body: string; signature: string }[] = [];
let answer = 200;
let redirectTo: string | undefined;
let server: Server;
let url = '';
/** The receiver is on this machine: allowed as an operator allows an on-premises host. */
let onPremises: OutboundGuard;
/** The production default: public addresses only. */
let strict: OutboundGuard;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ body, signature: String(request.headers[SIGNATURE_HEADER]) });
      response.statusCode = answer;
      if (redirectTo !== undefined) response.setHeader('location', redirectTo);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=tenant-own-token`;
  onPremises = createOutboundGuard({ allowPlainHttp: true, allowed: parseAllowedHosts('127.0.0.1') });
  strict = createOutboundGuard({ allowPlainHttp: true, allowed: NO_ALLOWED_HOSTS });
});
afterAll(async () => {
  await onPremises.close();
  await strict.close();
  await new Promise((resolve) => server.close(resolve));
});

async function eventFixture(withWebhook: boolean, webhookUrl = url) {
  const tenant = await createTenant(env.db, { name: 'Hooked' });
  const secret = 'whsec_test-secret-for-this-tenant';
  if (withWebhook) {
    await setTenantWebhook(env.db, tenant.id, {
      url: webhookUrl,
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
  const outcome = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: onPremises }, job);
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
  const failure = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: onPremises }, job).catch(
    (error: Error) => error,
  );
  expect(String(failure)).toMatch(/answered 503/);
  expect(String(failure)).not.toContain('tenant-own-token');
  answer = 200;
  const quiet = await eventFixture(false);
  expect(await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: onPremises }, quiet.job)).toEqual({
    delivered: false,
    reason: 'no_webhook',
  });
});

describe('the outbound guard (SSRF)', () => {
  const port = () => (server.address() as AddressInfo).port;

  it('a webhook URL on a private or loopback address is never sent to, and not retried', async () => {
    // URLs saved before the gateway refused them, or by someone going around it.
    for (const target of [
      `http://127.0.0.1:${port()}/hooks`,
      `http://[::ffff:127.0.0.1]:${port()}/hooks`,
      `http://localhost:${port()}/hooks`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]:5432/',
      'http://0.0.0.0:6379/',
    ]) {
      const before = received.length;
      const { job } = await eventFixture(true, target);
      const outcome = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: strict }, job);
      expect(outcome, target).toMatchObject({ delivered: false, reason: 'url_refused' });
      expect(received.length, target).toBe(before);
    }
  });

  it('a name that resolves to a refused address is refused as it is resolved: DNS rebinding cannot pass', async () => {
    // DNS answering as an attacker's would: a public address when asked first, loopback from then on.
    let asked = 0;
    const rebinding = createOutboundGuard(
      { allowPlainHttp: true, allowed: NO_ALLOWED_HOSTS },
      {
        resolve: async () => {
          asked += 1;
          return [{ address: asked === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
        },
      },
    );
    const mixed = createOutboundGuard(
      { allowPlainHttp: true, allowed: NO_ALLOWED_HOSTS },
      {
        resolve: async () => [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ],
      },
    );
    try {
      const before = received.length;
      const { job } = await eventFixture(true, `http://hooks.rebind.example:${port()}/hooks`);
      // Whatever a check at save time saw, the address connected to is the one checked now.
      asked = 1;
      const outcome = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: rebinding }, job);
      expect(outcome).toMatchObject({ delivered: false, reason: 'url_refused' });
      expect(String((outcome as { message?: string }).message)).toContain('127.0.0.1, a loopback address');
      const both = await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: mixed }, job);
      expect(both).toMatchObject({ delivered: false, reason: 'url_refused' });
      expect(received.length).toBe(before);
    } finally {
      await rebinding.close();
      await mixed.close();
    }
  });

  it('an allowed on-premises name is sent to; a redirect is never followed', async () => {
    const named = createOutboundGuard(
      { allowPlainHttp: true, allowed: parseAllowedHosts('hooks.corp.internal') },
      { resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
    );
    const elsewhere = createServer((_request, response) => {
      response.statusCode = 204;
      response.end();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    let elsewhereHits = 0;
    elsewhere.on('request', () => {
      elsewhereHits += 1;
    });
    try {
      answer = 200;
      const { job } = await eventFixture(true, `http://hooks.corp.internal:${port()}/hooks`);
      expect(await deliverWebhook({ db: env.db, keyring: TEST_KEYRING, outbound: named }, job)).toEqual({
        delivered: true,
        status: 200,
      });
      // The receiver answers with a redirect to another server: adsync does not go there.
      answer = 307;
      redirectTo = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/stolen`;
      const redirected = await eventFixture(true, url);
      const failure = await deliverWebhook(
        { db: env.db, keyring: TEST_KEYRING, outbound: onPremises },
        redirected.job,
      ).catch((error: Error) => error);
      expect(String(failure)).toMatch(/answered 307/);
      expect(elsewhereHits).toBe(0);
    } finally {
      answer = 200;
      redirectTo = undefined;
      await named.close();
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });
});
