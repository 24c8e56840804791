import { completeConsent, controlSimulator, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpJson } from '../http.ts';
import type { TokenSet } from '../provider.ts';
import type { MetaSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { describeOAuthContract } from '../testing/oauth-contract.ts';
import { startRequestTrap } from '../testing/request-trap.ts';
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

describe('what /me/adaccounts answers is checked before it is used (issue 19)', () => {
  const ROUTE = 'GET /graph/v25.0/me/adaccounts';
  const COUNTED = 'meta GET /graph/:version/me/adaccounts';
  const ACCOUNT = { id: 'act_1000000001', name: 'Acme US', currency: 'USD', timezone_name: 'America/Los_Angeles' };

  async function connect(): Promise<TokenSet> {
    const provider = createMetaProvider(settings);
    const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), { decision: 'approve' });
    const tokens = await provider.exchangeCode({ code: landed.searchParams.get('code') ?? '' });
    if (!tokens.ok) throw new Error(tokens.error.message);
    return tokens.value;
  }

  function answerNext(body: unknown, count = 1) {
    return controlSimulator(sim.url, 'faults', { platform: 'meta', route: ROUTE, count, status: 200, body });
  }

  const listings = () => sim.context.recorder.requestCounts()[COUNTED] ?? 0;

  afterEach(() => controlSimulator(sim.url, 'faults/clear', {}));

  it('a paging.next on another host is refused: not one request (nor the token) reaches that host', async () => {
    const trap = await startRequestTrap();
    try {
      const tokens = await connect();
      await answerNext({ data: [ACCOUNT], paging: { next: `${trap.url}/v25.0/me/adaccounts?after=MjQZD` } });
      const accounts = await createMetaProvider(settings).listAccounts(tokens);
      expect(accounts.ok).toBe(false);
      if (accounts.ok) return;
      expect(accounts.error).toMatchObject({ code: 'invalid_response', retryable: false });
      expect(accounts.error.message).toBe(
        `Meta gave a next-page link for ad accounts on another host (${new URL(trap.url).host}); adsync refused to follow it, since the credentials would go with it.`,
      );
      expect(accounts.error.message).not.toContain(tokens.accessToken);
      expect(trap.requests).toEqual([]);
    } finally {
      await trap.close();
    }
  });

  it('the token travels in a header: no URL adsync asks for, nor the next links built from it, carries it', async () => {
    const tokens = await connect();
    const trap = await startRequestTrap();
    try {
      const offHost = createMetaProvider({ ...settings, graphUrl: `${trap.url}/v25.0` });
      await offHost.listAccounts(tokens);
      expect(trap.requests.map((request) => request.url).join(' ')).not.toContain(tokens.accessToken);
      expect(trap.requests[0]?.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
    } finally {
      await trap.close();
    }
  });

  it('next links that never end stop at the cap, as an error rather than a partial list', async () => {
    const tokens = await connect();
    const loop = { data: [ACCOUNT], paging: { next: `${settings.graphUrl}/me/adaccounts?limit=100&after=loop` } };
    await answerNext(loop, 10);
    const before = listings();
    const accounts = await createMetaProvider(settings, { maxPages: 3 }).listAccounts(tokens);
    expect(accounts.ok).toBe(false);
    if (accounts.ok) return;
    expect(accounts.error).toMatchObject({ code: 'invalid_response', retryable: false });
    expect(accounts.error.message).toMatch(/^Meta had more than 3 pages of ad accounts; adsync stopped reading/);
    expect(listings() - before).toBe(3);
  });

  it('an account in a time zone no one knows fails discovery, naming the account and the zone', async () => {
    const tokens = await connect();
    const mars = { id: 'act_1000000009', name: 'Acme Mars', currency: 'USD', timezone_name: 'Mars/Olympus_Mons' };
    await answerNext({ data: [ACCOUNT, mars] });
    const accounts = await createMetaProvider(settings).listAccounts(tokens);
    expect(accounts.ok).toBe(false);
    if (accounts.ok) return;
    expect(accounts.error).toEqual({
      code: 'invalid_response',
      retryable: false,
      message:
        'Meta gives account act_1000000009 (Acme Mars) the time zone "Mars/Olympus_Mons", which is not an IANA time zone adsync can date spend in.',
    });
  });

  it.each([
    ['a UTC offset, which Postgres would read with its sign reversed', '+05:30'],
    ['an ICU-only abbreviation, which Postgres reads as a fixed offset', 'PST'],
  ])('a zone Intl takes but Postgres reads otherwise is refused too: %s', async (_why, zone) => {
    const tokens = await connect();
    await answerNext({ data: [{ ...ACCOUNT, timezone_name: zone }] });
    const accounts = await createMetaProvider(settings).listAccounts(tokens);
    expect(!accounts.ok && accounts.error.code).toBe('invalid_response');
  });
});
