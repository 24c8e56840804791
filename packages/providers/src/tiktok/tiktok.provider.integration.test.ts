import { completeConsent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OAuthProvider, TokenSet } from '../provider.ts';
import type { TikTokSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { describeOAuthContract } from '../testing/oauth-contract.ts';
import { createTikTokProvider } from './tiktok.provider.ts';

/** The simulator's second seed app (apps/simulator/src/seed/apps.ts): its tokens never expire. */
const LONG_TERM_APP = { appId: '7100000000000000002', secret: 'sim-tiktok-secret-long-term' };
const US = '7000000000000000001';

let sim: RunningSimulator;
let settings: TikTokSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').tiktok;
});
afterAll(() => sim.close());

async function connect(provider: OAuthProvider, accounts?: readonly string[]): Promise<TokenSet> {
  const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), {
    decision: 'approve',
    ...(accounts === undefined ? {} : { accounts }),
  });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(outcome.message);
  const tokens = await provider.exchangeCode({ code: outcome.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value;
}

async function control(simulator: RunningSimulator, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${simulator.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control ${path} answered ${response.status}`);
}

describeOAuthContract('TikTok', { provider: () => createTikTokProvider(settings), secrets: () => [settings.secret] });

it('the exchange reads lifetimes and permission ids; accounts carry name, currency and the named zone', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider, [US]);
  expect(tokens.refreshToken).not.toBeNull();
  const hours = ((tokens.accessTokenExpiresAt?.getTime() ?? 0) - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(23);
  expect(hours).toBeLessThanOrEqual(24);
  expect(tokens.refreshTokenExpiresAt?.getTime() ?? 0).toBeGreaterThan(Date.now() + 364 * 86_400_000);
  expect(tokens.scopes.length).toBeGreaterThan(0);
  for (const scope of tokens.scopes) expect(scope).toMatch(/^\d+$/);
  const accounts = await provider.listAccounts(tokens);
  if (!accounts.ok) throw new Error(accounts.error.message);
  expect(accounts.value).toEqual([
    {
      externalId: US,
      name: 'Acme TikTok US',
      currency: 'USD',
      timezone: 'America/Los_Angeles',
      managerExternalId: null,
    },
  ]);
});

it('the rotating refresh returns a new refresh token, and the old one is then invalid_grant', async () => {
  const provider = createTikTokProvider(settings);
  const first = await connect(provider);
  const second = await provider.refresh(first);
  if (!second.ok) throw new Error(second.error.message);
  expect(second.value.refreshToken).not.toBeNull();
  expect(second.value.refreshToken).not.toBe(first.refreshToken);
  expect(second.value.accessToken).not.toBe(first.accessToken);
  expect(second.value.scopes).toEqual(first.scopes);
  expect((await provider.listAccounts(second.value)).ok).toBe(true);

  const stale = await provider.refresh(first);
  expect(stale.ok).toBe(false);
  if (stale.ok) return;
  expect(stale.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: '40107' });
  for (const secret of [first.refreshToken ?? '', settings.secret]) expect(stale.error.message).not.toContain(secret);
});

it('a long-term app gets no refresh token and no expiry; refresh is invalid_grant without a call', async () => {
  const provider = createTikTokProvider({ ...settings, ...LONG_TERM_APP });
  const tokens = await connect(provider);
  expect(tokens).toMatchObject({ refreshToken: null, accessTokenExpiresAt: null, refreshTokenExpiresAt: null });
  expect((await provider.listAccounts(tokens)).ok).toBe(true);

  // A pending fault on the refresh route: had the client called it, the answer would be unavailable.
  const route = 'POST /open_api/v1.3/oauth2/refresh_token/';
  await control(sim, 'faults', { platform: 'tiktok', route, status: 500, body: { code: 50000 } });
  const refreshed = await provider.refresh(tokens);
  expect(refreshed.ok).toBe(false);
  if (!refreshed.ok) expect(refreshed.error.code).toBe('invalid_grant');
  const probe = await fetch(`${settings.apiUrl}/oauth2/refresh_token/`, { method: 'POST' });
  expect(probe.status).toBe(500);
});

it('an expired access token makes listAccounts invalid_grant; a refresh restores access', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider);
  await control(sim, 'expire', { platform: 'tiktok', token: tokens.accessToken });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok).toBe(false);
  if (accounts.ok) return;
  expect(accounts.error).toMatchObject({ code: 'invalid_grant', platformCode: '40102', retryable: false });
  expect(accounts.error.message).not.toContain(tokens.accessToken);

  const refreshed = await provider.refresh(tokens);
  if (!refreshed.ok) throw new Error(refreshed.error.message);
  expect((await provider.listAccounts(refreshed.value)).ok).toBe(true);
});

it('the QPS limit reads as rate_limited, to be retried after a second', async () => {
  const throttled = await startSimulator({ port: 0 }, { tiktok: { requestsPerSecond: 1 } });
  try {
    const provider = createTikTokProvider(simulatorProviderSettings(throttled.url, 'https://adsync.example').tiktok);
    const tokens = await connect(provider);
    // Three calls at once span at most two seconds, so at least two share one and the later is refused.
    const results = await Promise.all([1, 2, 3].map(() => provider.listAccounts(tokens)));
    const refused = results.flatMap((result) => (result.ok ? [] : [result.error]));
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toMatchObject({
        code: 'rate_limited',
        retryable: true,
        retryAfterMs: 1_000,
        platformCode: '40100',
      });
    }
  } finally {
    await throttled.close();
  }
});

it('a wrong app secret is invalid_client and the message names neither secret nor code', async () => {
  const provider = createTikTokProvider(settings);
  const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), { decision: 'approve' });
  const code = landed.searchParams.get('auth_code') ?? '';
  const wrong = createTikTokProvider({ ...settings, secret: 'not-the-secret' });
  const exchanged = await wrong.exchangeCode({ code });
  expect(exchanged.ok).toBe(false);
  if (exchanged.ok) return;
  expect(exchanged.error).toMatchObject({ code: 'invalid_client', platformCode: '40101', retryable: false });
  for (const secret of [code, 'not-the-secret', settings.secret]) expect(exchanged.error.message).not.toContain(secret);
});

it('a TikTok system error inside an HTTP 200 envelope reads as unavailable', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider);
  await control(sim, 'faults', {
    platform: 'tiktok',
    route: 'GET /open_api/v1.3/advertiser/info/',
    status: 200,
    body: { code: 50002, message: 'Error processing request on TikTok side.', request_id: 'r', data: {} },
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok).toBe(false);
  if (!accounts.ok)
    expect(accounts.error).toMatchObject({ code: 'unavailable', retryable: true, platformCode: '50002' });
});

it('the callback takes auth_code, then code; a refusal is denied and anything else an error', () => {
  const provider = createTikTokProvider(settings);
  expect(provider.readCallback({ auth_code: 'a', code: 'b', state: 's' })).toEqual({ kind: 'code', code: 'a' });
  expect(provider.readCallback({ code: 'b' })).toEqual({ kind: 'code', code: 'b' });
  expect(provider.readCallback({ error: 'access_denied', state: 's' }).kind).toBe('denied');
  expect(provider.readCallback({ error_description: 'The user cancelled the authorization.' }).kind).toBe('denied');
  expect(provider.readCallback({ error: 'server_error' }).kind).toBe('error');
  expect(provider.readCallback({ state: 's' }).kind).toBe('error');
});

it('the authorization URL carries app_id, state and redirect_uri', () => {
  const url = new URL(createTikTokProvider(settings).authorizationUrl({ state: 'st' }));
  expect(`${url.origin}${url.pathname}`).toBe(settings.authorizeUrl);
  expect(Object.fromEntries(url.searchParams)).toEqual({
    app_id: settings.appId,
    state: 'st',
    redirect_uri: settings.redirectUri,
  });
});

it('the named display_timezone wins over a fixed-offset timezone', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider, [US]);
  const info = { advertiser_id: US, name: 'Acme TikTok US', currency: 'USD', timezone: 'Etc/GMT+8' };
  await control(sim, 'faults', {
    platform: 'tiktok',
    route: 'GET /open_api/v1.3/advertiser/info/',
    status: 200,
    body: {
      code: 0,
      message: 'OK',
      request_id: 'r',
      data: { list: [{ ...info, display_timezone: 'America/Los_Angeles' }] },
    },
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok && accounts.value.map((account) => account.timezone)).toEqual(['America/Los_Angeles']);
});

it('an advertiser with no usable time zone fails discovery, naming the advertiser and the zone (issue 19)', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider, [US]);
  await control(sim, 'faults', {
    platform: 'tiktok',
    route: 'GET /open_api/v1.3/advertiser/info/',
    status: 200,
    body: {
      code: 0,
      message: 'OK',
      request_id: 'r',
      data: {
        list: [
          {
            advertiser_id: US,
            name: 'Acme TikTok US',
            currency: 'USD',
            display_timezone: 'Mars/Olympus_Mons',
            timezone: 'Mars/Olympus_Mons',
          },
        ],
      },
    },
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts).toEqual({
    ok: false,
    error: {
      code: 'invalid_response',
      retryable: false,
      message: `TikTok gives account ${US} (Acme TikTok US) the time zone "Mars/Olympus_Mons", which is not an IANA time zone adsync can date spend in.`,
    },
  });
});

it('a platform message that quotes the token or a URL loses them before it reaches ours', async () => {
  const provider = createTikTokProvider(settings);
  const tokens = await connect(provider);
  await control(sim, 'faults', {
    platform: 'tiktok',
    route: 'GET /open_api/v1.3/oauth2/advertiser/get/',
    status: 200,
    body: {
      code: 40105,
      message: `Access token ${tokens.accessToken} is incorrect for /oauth2/advertiser/get/?secret=${settings.secret}`,
      request_id: 'r',
      data: {},
    },
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok).toBe(false);
  if (accounts.ok) return;
  expect(accounts.error.code).toBe('invalid_grant');
  expect(accounts.error.message).toContain('Access token');
  for (const secret of [tokens.accessToken, settings.secret, '?']) expect(accounts.error.message).not.toContain(secret);
});
