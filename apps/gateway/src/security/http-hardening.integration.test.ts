// What every answer of the gateway gives away, tried as an attacker would (security review, issue 19 items 5–7):
// a client's own request id is not written into logs and answers, a 5xx names no internal code or key id,
// and the pages outside the admin app carry its security headers.

import { connectForTest, simulatorPlatforms, TEST_KEYRING } from '@adsync/connections';
import { createTenantWithKey, findConnection } from '@adsync/db';
import { createCapturingLogger } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const { logger, lines } = createCapturingLogger('gateway');
const testbed = useGatewayWithSimulator({ logger });
const { env } = testbed;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('x-request-id', () => {
  let proxied: TestGateway;
  beforeAll(async () => {
    proxied = await startTestGateway({
      db: env.db,
      redisUrl: env.redisUrl,
      queuePrefix: env.queuePrefix,
      environment: { TRUST_PROXY: 'true' },
    });
  });
  afterAll(async () => proxied.close());

  it("a client's own id is never used: the answer and the logs carry a new one", async () => {
    const forged = 'forged-<script>alert(1)</script>-id';
    for (const given of [forged, 'looks-safe-but-no-proxy-is-trusted', 'x'.repeat(5_000)]) {
      const answer = await fetch(`${testbed.gateway.url}/v1/connections`, { headers: { 'x-request-id': given } });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
      expect(await answer.text()).not.toContain(given);
    }
    expect(lines.join('\n')).not.toContain('forged-');
    expect(lines.join('\n')).not.toContain('looks-safe-but');
  });

  it("behind a trusted proxy, the proxy's id is kept when it is short and plain, and replaced otherwise", async () => {
    const traced = await fetch(`${proxied.url}/healthz`, { headers: { 'x-request-id': 'trace-4bf92f3577b34da6' } });
    expect(traced.headers.get('x-request-id')).toBe('trace-4bf92f3577b34da6');
    for (const unsafe of ['with space', 'a\u00e9b', 'x'.repeat(65), 'new\\nline', '<b>']) {
      const answer = await fetch(`${proxied.url}/healthz`, { headers: { 'x-request-id': unsafe } });
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
    }
  });
});

it('a 5xx says internal_error with the request id, never the internal code or the key id it failed on', async () => {
  // Sealed with a key this gateway does not hold (as after an ENCRYPTION_KEYS mistake): opening it fails.
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Sealed elsewhere', keyName: 't' });
  const { connection } = await connectForTest(env.db, simulatorPlatforms(testbed.sim.url), 'meta', {
    tenantId: tenant.id,
    keyring: TEST_KEYRING,
  });
  const answer = await api(testbed.gateway.url, apiKey, 'POST', `/v1/connections/${connection.id}/disconnect`);
  expect(answer.status).toBe(500);
  expect(answer.body.error?.code).toBe('internal_error');
  const text = JSON.stringify(answer.body);
  expect(text).toMatch(/request [0-9a-f-]{36}/);
  for (const internal of ['unknown_key_id', 'decryption', '"test"', 'keyId', 'details']) {
    expect(text).not.toContain(internal);
  }
  // The operator still learns what happened, from the log line of that request.
  const requestId = /request ([0-9a-f-]{36})/.exec(text)?.[1] ?? '';
  const logged = lines.find((line) => line.includes(requestId) && line.includes('unknown_key_id'));
  expect(logged).toBeDefined();
  // Nothing changed.
  const after = await findConnection(env.db, { tenantId: tenant.id, connectionId: connection.id });
  expect(after?.status).toBe(connection.status);
  expect(after?.access_token_ciphertext).toBe(connection.access_token_ciphertext);
});

it('the callback and link pages carry the admin page’s security headers', async () => {
  const pages = [
    `${testbed.gateway.url}/oauth/meta/callback?code=c&state=not-a-state`,
    `${testbed.gateway.url}/oauth/myspace/callback`,
    `${testbed.gateway.url}/admin/login?token=login_unknown`,
  ];
  for (const url of pages) {
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
  }
});
