// Every connect flow, logged at trace level: no API key, code, state, token, PKCE verifier, private key or
// client secret created or used along the way appears in any log line.

import { openSecret } from '@adsync/crypto';
import { createTenantWithKey, listConnections } from '@adsync/db';
import { simulatorProviderSettings } from '@adsync/providers';
import { KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import { createCapturingLogger } from '@adsync/testing';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const { logger, lines } = createCapturingLogger('gateway');
const testbed = useGatewayWithSimulator({
  logger,
});
const { env } = testbed;

it('no secret from any connect flow reaches the logs', async () => {
  const secrets: string[] = [];
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Logged', keyName: 't' });
  secrets.push(apiKey);
  const gatewayUrl = testbed.gateway.url;

  const callbacks: URL[] = [];
  for (const provider of ['meta', 'google', 'tiktok', 'klaviyo']) {
    callbacks.push((await connectByHttp(gatewayUrl, apiKey, provider)).callbackUrl);
  }
  callbacks.push((await connectByHttp(gatewayUrl, apiKey, 'google', { decision: 'deny' })).callbackUrl);
  // A replay and a wrong key go through the refusal paths and their logging too.
  await fetch(callbacks[0] ?? '');
  await api(gatewayUrl, 'adsync_wrong-key', 'GET', '/v1/connections');
  for (const url of callbacks) {
    for (const name of ['code', 'auth_code', 'state']) {
      const value = url.searchParams.get(name);
      if (value !== null) secrets.push(value);
    }
  }

  // PKCE verifiers, sealed in the state rows.
  const states = await env.db.selectFrom('oauth_states').selectAll().where('tenant_id', '=', tenant.id).execute();
  for (const row of states) {
    if (row.pkce_verifier_ciphertext === null) continue;
    const context = { tenantId: tenant.id, connectionId: `oauth-state:${row.nonce}`, field: 'pkce_verifier' };
    secrets.push(openSecret(testbed.gateway.deps.keyring, row.pkce_verifier_ciphertext, context));
  }
  expect(secrets.length).toBeGreaterThan(12);

  // Every access and refresh token the platforms issued, then the Klaviyo private key.
  for (const connection of await listConnections(env.db, tenant.id)) {
    const key = { tenantId: tenant.id, connectionId: connection.id };
    for (const [field, sealed] of [
      ['access_token', connection.access_token_ciphertext],
      ['refresh_token', connection.refresh_token_ciphertext],
    ] as const) {
      if (sealed !== null) secrets.push(openSecret(testbed.gateway.deps.keyring, sealed, { ...key, field }), sealed);
    }
  }
  const privateKey = KLAVIYO_PRIVATE_KEYS[0].key;
  await fetch(`${testbed.sim.url}/_control/reset`, { method: 'POST' });
  await api(gatewayUrl, apiKey, 'POST', '/v1/connections/klaviyo/api-key', { privateKey });
  await api(gatewayUrl, apiKey, 'POST', '/v1/connections/klaviyo/api-key', { privateKey: KLAVIYO_PRIVATE_KEYS[1].key });
  secrets.push(privateKey, KLAVIYO_PRIVATE_KEYS[1].key);
  for (const connection of await listConnections(env.db, tenant.id)) {
    await api(gatewayUrl, apiKey, 'POST', `/v1/connections/${connection.id}/disconnect`);
  }

  const settings = simulatorProviderSettings(testbed.sim.url, gatewayUrl);
  secrets.push(
    settings.meta.appSecret,
    settings.google.clientSecret,
    settings.tiktok.secret,
    settings.klaviyo.clientSecret,
    testbed.gateway.deps.config.OAUTH_STATE_SECRET,
  );

  expect(lines.length).toBeGreaterThan(20);
  const logged = lines.join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(logged).not.toContain(secret);
  }
  // The request lines are there, without their query strings.
  expect(logged).toContain('/oauth/google/callback');
  expect(logged).not.toMatch(/callback\?/);
});
