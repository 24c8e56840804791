// Every connect flow logged at trace level: no API key, code, state, token, PKCE verifier or client secret
// created or used along the way appears in any log line.

import { openSecret } from '@adsync/crypto';
import { createTenantWithKey, listConnections } from '@adsync/db';
import { createLogger } from '@adsync/logging';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const lines: string[] = [];
const testbed = useGatewayWithSimulator({
  logger: createLogger({
    name: 'gateway',
    level: 'trace',
    format: 'json',
    destination: { write: (line: string) => lines.push(line) },
  }),
});
const { env } = testbed;

it('no secret from any connect flow reaches the logs', async () => {
  const secrets: string[] = [];
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Logged', keyName: 't' });
  secrets.push(apiKey);

  const approved = await connectByHttp(testbed.gateway.url, apiKey, 'meta');
  const denied = await connectByHttp(testbed.gateway.url, apiKey, 'meta', { decision: 'deny' });
  for (const url of [approved.callbackUrl, denied.callbackUrl]) {
    for (const name of ['code', 'state']) {
      const value = url.searchParams.get(name);
      if (value !== null) secrets.push(value);
    }
  }
  // A replay and a forged state go through the refusal paths and their logging too.
  await fetch(approved.callbackUrl);
  await api(testbed.gateway.url, 'adsync_wrong-key', 'GET', '/v1/connections');

  const [connection] = await listConnections(env.db, tenant.id);
  const key = { tenantId: tenant.id, connectionId: connection?.id ?? '' };
  secrets.push(
    openSecret(testbed.gateway.deps.keyring, connection?.access_token_ciphertext ?? '', {
      ...key,
      field: 'access_token',
    }),
  );
  secrets.push(connection?.access_token_ciphertext ?? '');
  const settings = testbed.gateway.deps.config;
  secrets.push(settings.OAUTH_STATE_SECRET);
  await api(testbed.gateway.url, apiKey, 'POST', `/v1/connections/${connection?.id}/disconnect`);

  expect(lines.length).toBeGreaterThan(5);
  const logged = lines.join('\n');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(logged).not.toContain(secret);
  }
  // The request lines are there, without their query strings.
  expect(logged).toContain('/oauth/meta/callback');
  expect(logged).not.toMatch(/callback\?/);
});
