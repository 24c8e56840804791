import { completeConsent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpJson } from '../http.ts';
import type { MetaSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { describeOAuthContract } from '../testing/oauth-contract.ts';
import { metaError } from './meta.errors.ts';
import { createMetaProvider } from './meta.provider.ts';

let sim: RunningSimulator;
let settings: MetaSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').meta;
});
afterAll(() => sim.close());

describeOAuthContract('Meta', { provider: () => createMetaProvider(settings), secrets: () => [settings.appSecret] });

it('the exchange ends with the long-lived token and its expiry from debug_token', async () => {
  const provider = createMetaProvider(settings);
  const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), {
    decision: 'approve',
    accounts: ['act_1000000002'],
  });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(outcome.kind);
  const tokens = await provider.exchangeCode({ code: outcome.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  expect(tokens.value.refreshToken).toBeNull();
  const days = ((tokens.value.accessTokenExpiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(59);
  expect(tokens.value.externalUserId).toBe('10000000001');
  const accounts = await provider.listAccounts(tokens.value);
  expect(accounts.ok && accounts.value.map((account) => account.externalId)).toEqual(['act_1000000002']);
});

it('a throttled account reads as rate_limited with the wait from the usage header', async () => {
  const throttled = await startSimulator({ port: 0 }, { meta: { callsPerAccountPerHour: 1 } });
  try {
    const local = simulatorProviderSettings(throttled.url, 'https://adsync.example').meta;
    const provider = createMetaProvider(local);
    const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), { decision: 'approve' });
    const code = landed.searchParams.get('code') ?? '';
    const tokens = await provider.exchangeCode({ code });
    if (!tokens.ok) throw new Error(tokens.error.message);
    const call = () =>
      httpJson({
        method: 'GET',
        url: `${local.graphUrl}/act_1000000001/insights?access_token=${tokens.value.accessToken}`,
      });
    await call();
    const second = await call();
    if (!second.ok) throw new Error(second.error.message);
    const error = metaError(second.value, 'read insights');
    expect(error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      platformCode: '80000/2446079',
      retryAfterMs: 3_600_000,
    });
  } finally {
    await throttled.close();
  }
});
