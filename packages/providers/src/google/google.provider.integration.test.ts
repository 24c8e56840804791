// Google Ads client against the simulator: the shared OAuth contract, then refresh without rotation, manager
// hierarchies, skipped disabled customers and GoogleAdsFailure mapping (throttling with retryDelay).

import { createPkcePair } from '@adsync/crypto';
import { completeConsent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OAuthProvider, TokenSet } from '../provider.ts';
import type { GoogleSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { describeOAuthContract } from '../testing/oauth-contract.ts';
import { createGoogleProvider } from './google.provider.ts';

const MANAGER = '9000000001';

let sim: RunningSimulator;
let settings: GoogleSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').google;
});
afterAll(() => sim.close());

describeOAuthContract('Google Ads', {
  provider: () => createGoogleProvider(settings),
  secrets: () => [settings.clientSecret, settings.developerToken],
});

/** Consent (optionally to an edited authorization URL) and code exchange, returning the raw result. */
async function exchange(provider: OAuthProvider, edit: (url: URL) => void = () => {}) {
  const pkce = createPkcePair();
  const url = new URL(provider.authorizationUrl({ state: 's', codeChallenge: pkce.challenge }));
  edit(url);
  const landed = await completeConsent(url.toString(), { decision: 'approve' });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(`expected a code, got ${outcome.kind}: ${outcome.message}`);
  return provider.exchangeCode({ code: outcome.code, codeVerifier: pkce.verifier });
}

async function connect(provider: OAuthProvider): Promise<TokenSet> {
  const tokens = await exchange(provider);
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value;
}

async function control(path: string, body: unknown) {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** A GoogleAdsFailure envelope as the Ads API sends it (providers.md §2.4). */
function adsFailure(httpStatus: number, status: string, errorCode: Record<string, string>, details?: unknown) {
  return {
    error: {
      code: httpStatus,
      message: 'The request failed.',
      status,
      details: [
        {
          '@type': 'type.googleapis.com/google.ads.googleads.v23.errors.GoogleAdsFailure',
          errors: [{ errorCode, message: 'Failure from a fault rule.', ...(details === undefined ? {} : { details }) }],
          requestId: 'fault0000001',
        },
      ],
    },
  };
}

it('the authorization URL asks for offline access, a fresh consent and an S256 challenge', () => {
  const url = new URL(createGoogleProvider(settings).authorizationUrl({ state: 'st', codeChallenge: 'challenge' }));
  expect(Object.fromEntries(url.searchParams)).toEqual({
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/adwords',
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    state: 'st',
    code_challenge: 'challenge',
    code_challenge_method: 'S256',
  });
});

it('a callback error other than access_denied reads as error', () => {
  const outcome = createGoogleProvider(settings).readCallback({ error: 'invalid_scope', state: 'st' });
  expect(outcome).toEqual({ kind: 'error', message: 'Google did not authorize adsync: invalid_scope.' });
});

it('refresh returns a new access token that works and keeps the same refresh token', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  const refreshed = await provider.refresh(tokens);
  if (!refreshed.ok) throw new Error(refreshed.error.message);
  expect(refreshed.value.accessToken).not.toBe(tokens.accessToken);
  expect(refreshed.value.refreshToken).toBe(tokens.refreshToken);
  expect(refreshed.value.scopes).toEqual(['https://www.googleapis.com/auth/adwords']);
  expect(refreshed.value.accessTokenExpiresAt?.getTime()).toBeGreaterThan(Date.now());
  expect((await provider.listAccounts(refreshed.value)).ok).toBe(true);
});

it('refresh after the grant is revoked at Google is invalid_grant and names no secret', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  await control('revoke', { platform: 'google', token: tokens.refreshToken });
  const refreshed = await provider.refresh(tokens);
  expect(refreshed.ok).toBe(false);
  if (refreshed.ok) return;
  expect(refreshed.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: 'invalid_grant' });
  for (const secret of [tokens.refreshToken ?? '', tokens.accessToken, settings.clientSecret]) {
    expect(refreshed.error.message).not.toContain(secret);
  }
});

it('a wrong client secret is invalid_client and the message does not quote it', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  const refreshed = await createGoogleProvider({ ...settings, clientSecret: 'wrong-secret-1234' }).refresh(tokens);
  expect(refreshed.ok).toBe(false);
  if (refreshed.ok) return;
  expect(refreshed.error).toMatchObject({ code: 'invalid_client', retryable: false });
  expect(refreshed.error.message).not.toContain('wrong-secret-1234');
});

it('an exchange that yields no refresh token is invalid_grant', async () => {
  // Without access_type=offline Google issues an access token only.
  const exchanged = await exchange(createGoogleProvider(settings), (url) => url.searchParams.delete('access_type'));
  expect(exchanged.ok).toBe(false);
  if (exchanged.ok) return;
  expect(exchanged.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: 'no_refresh_token' });
});

it('finds the manager’s client accounts with managerExternalId, the direct account without, no managers', async () => {
  const provider = createGoogleProvider(settings);
  const accounts = await provider.listAccounts(await connect(provider));
  if (!accounts.ok) throw new Error(accounts.error.message);
  const sorted = [...accounts.value].sort((a, b) => a.externalId.localeCompare(b.externalId));
  expect(sorted.map((account) => [account.externalId, account.managerExternalId])).toEqual([
    ['1000000011', MANAGER],
    ['1000000012', MANAGER],
    ['1000000013', MANAGER],
    ['1000000014', MANAGER],
    ['1000000015', null],
    ['1000000016', MANAGER],
  ]);
  expect(sorted[1]).toEqual({
    externalId: '1000000012',
    name: 'Acme Japan',
    currency: 'JPY',
    timezone: 'Asia/Tokyo',
    managerExternalId: MANAGER,
  });
});

it('a customer Google reports as not enabled is skipped, the others still discovered', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  await control('faults', {
    platform: 'google',
    route: 'POST /ads/*/customers/1000000015/googleAds:search',
    count: 1,
    status: 403,
    body: adsFailure(403, 'PERMISSION_DENIED', { authorizationError: 'CUSTOMER_NOT_ENABLED' }),
  });
  const accounts = await provider.listAccounts(tokens);
  if (!accounts.ok) throw new Error(accounts.error.message);
  expect(accounts.value.map((account) => account.externalId).sort()).toEqual([
    '1000000011',
    '1000000012',
    '1000000013',
    '1000000014',
    '1000000016',
  ]);
});

it('a throttled search reads as rate_limited with the wait from quotaErrorDetails.retryDelay', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  await control('faults', {
    platform: 'google',
    route: 'POST /ads/*/googleAds:search',
    count: 1,
    status: 429,
    body: adsFailure(
      429,
      'RESOURCE_EXHAUSTED',
      { quotaError: 'RESOURCE_EXHAUSTED' },
      { quotaErrorDetails: { rateScope: 'ACCOUNT', rateName: 'Requests per account', retryDelay: '30s' } },
    ),
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok).toBe(false);
  if (accounts.ok) return;
  expect(accounts.error).toMatchObject({
    code: 'rate_limited',
    retryable: true,
    retryAfterMs: 30_000,
    platformCode: 'quotaError.RESOURCE_EXHAUSTED',
  });
});

it('page tokens that never end stop at the cap as an error, not a shortened account list (issue 19)', async () => {
  const provider = createGoogleProvider(settings, { maxPages: 3 });
  const tokens = await connect(provider);
  const searches = () => sim.context.recorder.requestCounts()['google POST /ads/*'] ?? 0;
  await control('faults', {
    platform: 'google',
    route: 'POST /ads/*/googleAds:search',
    count: 10,
    status: 200,
    body: { results: [], nextPageToken: 'bG9vcA' },
  });
  const before = searches();
  const accounts = await provider.listAccounts(tokens);
  await control('faults/clear', {});
  expect(accounts.ok).toBe(false);
  if (accounts.ok) return;
  expect(accounts.error).toMatchObject({ code: 'invalid_response', retryable: false });
  expect(accounts.error.message).toMatch(/^Google Ads had more than 3 pages of the accounts under customer \d{10}; /);
  expect(searches() - before).toBe(3);
});

it('an account in a time zone no one knows fails discovery, naming the account and the zone (issue 19)', async () => {
  const provider = createGoogleProvider(settings);
  const tokens = await connect(provider);
  const client = (id: string, timeZone: string) => ({
    customerClient: { id, descriptiveName: `Acme ${id}`, currencyCode: 'USD', timeZone, manager: false, level: '1' },
  });
  await control('faults', {
    platform: 'google',
    route: 'POST /ads/*/customers/9000000001/googleAds:search',
    status: 200,
    body: { results: [client('1000000011', 'America/New_York'), client('1000000012', 'Mars/Olympus_Mons')] },
  });
  const accounts = await provider.listAccounts(tokens);
  expect(accounts.ok).toBe(false);
  if (accounts.ok) return;
  expect(accounts.error).toEqual({
    code: 'invalid_response',
    retryable: false,
    message:
      'Google Ads gives account 1000000012 (Acme 1000000012) the time zone "Mars/Olympus_Mons", which is not an IANA time zone adsync can date spend in.',
  });
});
