import { createPkcePair } from '@adsync/crypto';
import { completeConsent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthProvider, TokenSet } from '../provider.ts';
import type { KlaviyoSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { describeOAuthContract } from '../testing/oauth-contract.ts';
import { createKlaviyoProvider } from './klaviyo.provider.ts';

let sim: RunningSimulator;
let settings: KlaviyoSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').klaviyo;
});
afterAll(() => sim.close());

describeOAuthContract('Klaviyo', {
  provider: () => createKlaviyoProvider(settings),
  secrets: () => [settings.clientSecret],
});

function control(target: RunningSimulator, path: string, body: unknown) {
  return fetch(`${target.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function connect(provider: OAuthProvider): Promise<TokenSet> {
  const pkce = createPkcePair();
  const landed = await completeConsent(provider.authorizationUrl({ state: 's', codeChallenge: pkce.challenge }), {
    decision: 'approve',
  });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(outcome.kind);
  const tokens = await provider.exchangeCode({ code: outcome.code, codeVerifier: pkce.verifier });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value;
}

describe('Klaviyo specifics', () => {
  // GET /api/accounts is XS tier (1/s): each test starts with fresh rate-limit windows.
  beforeEach(async () => {
    await control(sim, 'reset', {});
  });

  it('the authorization URL asks for the configured scopes, space-joined, with an S256 challenge', () => {
    const url = new URL(
      createKlaviyoProvider(settings).authorizationUrl({ state: 'st', codeChallenge: 'c'.repeat(43) }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: settings.redirectUri,
      scope: settings.scopes.join(' '),
      state: 'st',
      code_challenge: 'c'.repeat(43),
      code_challenge_method: 'S256',
    });
  });

  it('refresh rotates the refresh token; the old one is then invalid_grant', async () => {
    const provider = createKlaviyoProvider(settings);
    const first = await connect(provider);
    const refreshed = await provider.refresh(first);
    if (!refreshed.ok) throw new Error(refreshed.error.message);
    expect(refreshed.value.refreshToken).not.toBeNull();
    expect(refreshed.value.refreshToken).not.toBe(first.refreshToken);
    expect(refreshed.value.accessToken).not.toBe(first.accessToken);
    expect(refreshed.value.scopes).toEqual(first.scopes);
    const accounts = await provider.listAccounts(refreshed.value);
    expect(accounts.ok).toBe(true);

    const stale = await provider.refresh(first);
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: 'invalid_grant' });
    expect(stale.error.message).not.toContain(first.refreshToken ?? '-');
  });

  it('the one account carries organization name, currency, time zone', async () => {
    const provider = createKlaviyoProvider(settings);
    const accounts = await provider.listAccounts(await connect(provider));
    if (!accounts.ok) throw new Error(accounts.error.message);
    expect(accounts.value).toEqual([
      {
        externalId: 'AcMe01',
        name: 'Acme Store',
        currency: 'USD',
        timezone: 'America/New_York',
        managerExternalId: null,
      },
    ]);
  });

  it('an expired access token reads as invalid_grant; refresh brings access back', async () => {
    const provider = createKlaviyoProvider(settings);
    const tokens = await connect(provider);
    await control(sim, 'expire', { platform: 'klaviyo', token: tokens.accessToken });
    const refused = await provider.listAccounts(tokens);
    expect(!refused.ok && refused.error.code).toBe('invalid_grant');
    const refreshed = await provider.refresh(tokens);
    if (!refreshed.ok) throw new Error(refreshed.error.message);
    expect((await provider.listAccounts(refreshed.value)).ok).toBe(true);
  });

  it('a wrong client secret is invalid_client and the message holds neither secret nor token', async () => {
    const tokens = await connect(createKlaviyoProvider(settings));
    const wrong = createKlaviyoProvider({ ...settings, clientSecret: 'not-the-secret' });
    const refreshed = await wrong.refresh(tokens);
    expect(refreshed.ok).toBe(false);
    if (refreshed.ok) return;
    expect(refreshed.error.code).toBe('invalid_client');
    for (const secret of ['not-the-secret', settings.clientSecret, tokens.refreshToken ?? '-']) {
      expect(refreshed.error.message).not.toContain(secret);
    }
  });

  it('a 5xx from the token endpoint is unavailable and retryable', async () => {
    const provider = createKlaviyoProvider(settings);
    const tokens = await connect(provider);
    await control(sim, 'faults', {
      platform: 'klaviyo',
      route: 'POST /a/oauth/token',
      status: 503,
      body: { error: 'temporarily_unavailable' },
    });
    const refreshed = await provider.refresh(tokens);
    expect(!refreshed.ok && refreshed.error).toMatchObject({ code: 'unavailable', retryable: true });
  });
});

it('a throttled account lookup reads as rate_limited with the wait from Retry-After', async () => {
  const throttled = await startSimulator({ port: 0 }, { klaviyo: { rateLimitDivisor: 1000 } });
  try {
    const provider = createKlaviyoProvider(simulatorProviderSettings(throttled.url, 'https://adsync.example').klaviyo);
    const tokens = await connect(provider);
    // The steady window is a fixed minute: start at its beginning so both calls fall into the same one.
    const now = Date.parse(
      ((await (await control(throttled, 'clock/advance', { ms: 0 })).json()) as { now: string }).now,
    );
    await control(throttled, 'clock/advance', { ms: 60_000 - (now % 60_000) });
    const first = await provider.listAccounts(tokens);
    expect(first.ok).toBe(true);
    const second = await provider.listAccounts(tokens);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.error).toMatchObject({ code: 'rate_limited', retryable: true, platformCode: 'throttled' });
    expect(second.error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(second.error.retryAfterMs).toBeLessThanOrEqual(60_000);
  } finally {
    await throttled.close();
  }
});
