// Attacks on the OAuth callback: every one gets a 400 page with its code, and none writes a connection.

import { DEV_OAUTH_STATE_SECRET } from '@adsync/config';
import { signOAuthState } from '@adsync/crypto';
import { createTenantWithKey, listConnections } from '@adsync/db';
import { completeConsent } from '@adsync/simulator';
import { describe, expect, it } from 'vitest';
import { connectByHttp, startConnect, TestBrowser } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

/**
 * Our callback URL as the platform would send it back after approval, without following it, and the browser
 * that started the flow (whose binding cookie the callback needs).
 */
async function approved(apiKey: string, provider = 'meta'): Promise<{ callback: URL; browser: TestBrowser }> {
  const start = await startConnect(testbed.gateway.url, apiKey, provider);
  const callback = await completeConsent(start.location ?? '', { decision: 'approve', accounts: ['act_1000000001'] });
  return { callback, browser: start.browser };
}

async function refusal(
  browser: TestBrowser,
  url: URL | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; code: string }> {
  const response = await browser.fetch(url, { headers });
  const page = await response.text();
  return { status: response.status, code: /code: ([a-z_]+)/.exec(page)?.[1] ?? '' };
}

describe('the OAuth callback refuses', () => {
  it('a forged signature', async () => {
    const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Forged', keyName: 't' });
    const { callback, browser } = await approved(apiKey);
    const state = callback.searchParams.get('state') ?? '';
    const [payload] = state.split('.');
    callback.searchParams.set('state', `${payload}.${'A'.repeat(43)}`);
    expect(await refusal(browser, callback)).toEqual({ status: 400, code: 'invalid_state_signature' });
    // A payload rewritten to another tenant, signed with a guessed key, fails the same way.
    const forged = signOAuthState('not-our-secret-but-long-enough-to-sign-with', {
      tenantId: tenant.id,
      provider: 'meta',
      nonce: 'n',
      returnUrl: '',
      expiresAt: Date.now() + 60_000,
    });
    callback.searchParams.set('state', forged);
    expect(await refusal(browser, callback)).toEqual({ status: 400, code: 'invalid_state_signature' });
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
  });

  it('an expired state, a missing state', async () => {
    const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Expired', keyName: 't' });
    const { callback, browser } = await approved(apiKey);
    const expired = signOAuthState(DEV_OAUTH_STATE_SECRET, {
      tenantId: tenant.id,
      provider: 'meta',
      nonce: 'expired-nonce',
      returnUrl: '',
      expiresAt: Date.now() - 1,
    });
    callback.searchParams.set('state', expired);
    expect(await refusal(browser, callback)).toEqual({ status: 400, code: 'expired_state' });
    callback.searchParams.delete('state');
    expect(await refusal(browser, callback)).toEqual({ status: 400, code: 'malformed_state' });
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
  });

  it('a replayed callback: the connection stays as the first one left it', async () => {
    const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Replay', keyName: 't' });
    const { callback, browser } = await approved(apiKey);
    // What an eavesdropper on that browser would hold: the callback URL and the binding cookie.
    const captured = browser.cookieNames().map((name) => `${name}=${browser.cookie(name)}`);
    expect((await browser.fetch(callback)).status).toBe(200);
    const [first] = await listConnections(env.db, tenant.id);
    // The flow is over: its browser holds no binding cookie any more, and the captured one is spent.
    expect(browser.cookieNames()).toEqual([]);
    expect(await refusal(browser, callback)).toEqual({ status: 400, code: 'state_browser_missing' });
    expect(await refusal(new TestBrowser(testbed.gateway.url), callback, { cookie: captured.join('; ') })).toEqual({
      status: 400,
      code: 'state_already_used',
    });
    const [after] = await listConnections(env.db, tenant.id);
    expect(after?.credentials_version).toBe(first?.credentials_version);
    expect(after?.access_token_ciphertext).toBe(first?.access_token_ciphertext);
  });

  it("another tenant's state, presented with this tenant's credentials", async () => {
    const victim = await createTenantWithKey(env.db, { name: 'Victim', keyName: 't' });
    const attacker = await createTenantWithKey(env.db, { name: 'Attacker', keyName: 't' });
    const { callback, browser } = await approved(victim.apiKey);
    expect(await refusal(browser, callback, { authorization: `Bearer ${attacker.apiKey}` })).toEqual({
      status: 400,
      code: 'state_tenant_mismatch',
    });
    expect(await listConnections(env.db, attacker.tenant.id)).toEqual([]);
    expect(await listConnections(env.db, victim.tenant.id)).toEqual([]);
  });

  it("another platform's state", async () => {
    const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Cross platform', keyName: 't' });
    const { callback, browser } = await approved(apiKey);
    const elsewhere = new URL(callback);
    elsewhere.pathname = '/oauth/google/callback';
    expect(await refusal(browser, elsewhere)).toEqual({ status: 400, code: 'state_provider_mismatch' });
    expect(await listConnections(env.db, tenant.id)).toEqual([]);
    // The refusal did not burn the state: the genuine callback still completes.
    expect((await browser.fetch(callback)).status).toBe(200);
  });

  it('a start link without a session, and a return URL off our origin', async () => {
    const { apiKey } = await createTenantWithKey(env.db, { name: 'Start checks', keyName: 't' });
    const anonymous = await fetch(`${testbed.gateway.url}/oauth/meta/start`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    const offsite = await startConnect(testbed.gateway.url, apiKey, 'meta', 'https://evil.example/steal');
    expect(offsite.status).toBe(400);
    expect(((await offsite.response.json()) as { error: { code: string } }).error.code).toBe('invalid_return_url');
    for (const sneaky of ['//evil.example/x', '/\\evil.example']) {
      expect((await startConnect(testbed.gateway.url, apiKey, 'meta', sneaky)).status).toBe(400);
    }
    expect((await startConnect(testbed.gateway.url, apiKey, 'myspace')).status).toBe(404);
  });
});

it('a full approval still works after all that', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Control', keyName: 't' });
  const { response } = await connectByHttp(testbed.gateway.url, apiKey, 'meta', { accounts: ['act_1000000001'] });
  expect(response.status).toBe(200);
  expect((await listConnections(env.db, tenant.id)).map((row) => row.status)).toEqual(['active']);
});
