import { KLAVIYO_PRIVATE_KEYS, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { KlaviyoSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { validateKlaviyoPrivateKey } from './klaviyo.private-key.ts';

// The simulator's seed keys: every scope adsync needs, and accounts:read + lists:read only.
const [{ key: FULL_KEY }, { key: READONLY_KEY }] = KLAVIYO_PRIVATE_KEYS;

let sim: RunningSimulator;
let settings: KlaviyoSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').klaviyo;
});
// GET /api/accounts is XS tier (1/s per account): each test starts with fresh rate-limit windows.
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
});
afterAll(() => sim.close());

it('the full key validates and returns the account and its public key', async () => {
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: FULL_KEY, publicKey: 'AcMe01' });
  if (!result.ok) throw new Error(result.error.message);
  expect(result.value).toEqual({
    account: {
      externalId: 'AcMe01',
      name: 'Acme Store',
      currency: 'USD',
      timezone: 'America/New_York',
      managerExternalId: null,
    },
    publicKey: 'AcMe01',
  });
});

it('a public key of another account is invalid_request', async () => {
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: FULL_KEY, publicKey: 'XyZ999' });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('invalid_request');
  expect(result.error.message).toMatch(/public key does not belong to this account/i);
});

it('the read-only key is permission_denied naming exactly the missing scopes', async () => {
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: READONLY_KEY });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe('permission_denied');
  expect(result.error.message).toMatch(/^The key lacks segments:read, profiles:read, catalogs:read; create /);
  expect(result.error.message).not.toContain(READONLY_KEY);
});

it('a made-up pk_ key fails clearly, without echoing the key', async () => {
  const made = 'pk_made_up_0000000000000000000000000000';
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: made });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: 'not_authenticated' });
  expect(result.error.message).toMatch(/private key is not valid/);
  expect(result.error.message).not.toContain(made);
});

it('a string that is not a private key fails without any call to Klaviyo', async () => {
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: 'AcMe01' });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.code).toBe('invalid_request');
  const counts = (await (await fetch(`${sim.url}/_control/requests`)).json()) as { counts: Record<string, number> };
  expect(Object.keys(counts.counts).filter((route) => route.startsWith('klaviyo'))).toEqual([]);
});

it('a deleted key is invalid_grant', async () => {
  await fetch(`${sim.url}/_control/klaviyo/revoke-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: FULL_KEY }),
  });
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: FULL_KEY });
  expect(!result.ok && result.error.code).toBe('invalid_grant');
});

it('an account in a time zone no one knows is refused, naming the account and the zone (issue 19)', async () => {
  const account = {
    type: 'account',
    id: 'AcMe01',
    attributes: {
      contact_information: { organization_name: 'Acme Store' },
      timezone: 'Mars/Olympus_Mons',
      preferred_currency: 'USD',
      public_api_key: 'AcMe01',
    },
  };
  await fetch(`${sim.url}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: 'klaviyo',
      route: 'GET /a/api/accounts*',
      status: 200,
      body: { data: [account], links: { self: null, next: null, prev: null } },
    }),
  });
  const result = await validateKlaviyoPrivateKey(settings, { privateKey: FULL_KEY });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toEqual({
    code: 'invalid_response',
    retryable: false,
    message:
      'Klaviyo gives account AcMe01 (Acme Store) the time zone "Mars/Olympus_Mons", which is not an IANA time zone adsync can date spend in.',
  });
});
