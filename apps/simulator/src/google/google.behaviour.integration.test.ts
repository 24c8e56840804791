// Behaviour of the simulated Google over real HTTP: consent, code exchange, refresh-token rules, expiry,
// revocation, manager access, rate limiting and reporting totals against the spend truth.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GOOGLE_CLIENT_ACCOUNTS, GOOGLE_DIRECT_ACCOUNTS } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { datesBetween, minorToMicros } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import {
  authorizedTokens,
  authParams,
  consent,
  type Json,
  REDIRECT,
  search,
  startGoogle,
  token,
} from './google.test-support.ts';

let sim: RunningSimulator;
const LIMIT = 5;

beforeAll(async () => {
  sim = await startGoogle({ google: { requestsPerCustomerPerMinute: LIMIT } });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
});

const control = (path: string, body: unknown) =>
  fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('OAuth', () => {
  it('issues a refresh token on first offline consent only, then again with prompt=consent', async () => {
    const first = await consent(sim.url, authParams(), 'approve', ['9000000001']);
    expect(first.get('state')).toBe('st-1');
    expect(first.get('code')).toMatch(/^4\/0A/);
    const exchanged = (await (
      await token(sim.url, { grant_type: 'authorization_code', code: first.get('code') ?? '', redirect_uri: REDIRECT })
    ).json()) as Json;
    expect(exchanged.refresh_token).toMatch(/^1\/\/0g/);

    const second = await consent(sim.url, authParams(), 'approve', ['9000000001']);
    const again = (await (
      await token(sim.url, { grant_type: 'authorization_code', code: second.get('code') ?? '', redirect_uri: REDIRECT })
    ).json()) as Json;
    expect(again.refresh_token).toBeUndefined();
    expect(again.access_token).toMatch(/^ya29\./);

    const forced = await consent(sim.url, authParams({ prompt: 'consent' }), 'approve', ['9000000001']);
    const third = (await (
      await token(sim.url, { grant_type: 'authorization_code', code: forced.get('code') ?? '', redirect_uri: REDIRECT })
    ).json()) as Json;
    expect(third.refresh_token).toMatch(/^1\/\/0g/);
  });

  it('denial redirects with access_denied and a bad client gets an error page', async () => {
    const denied = await consent(sim.url, authParams(), 'deny', []);
    expect(denied.get('error')).toBe('access_denied');
    expect(denied.get('state')).toBe('st-1');
    const bad = await fetch(
      `${sim.url}/google/accounts/o/oauth2/v2/auth?${new URLSearchParams(authParams({ client_id: 'nope' }))}`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
  });

  it('codes are single-use and PKCE verifiers are checked', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const params = authParams({ code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await consent(sim.url, params, 'approve', ['9000000001']);
    const rejected = await token(sim.url, {
      grant_type: 'authorization_code',
      code: wrong.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: 'x'.repeat(50),
    });
    expect(rejected.status).toBe(400);
    expect(((await rejected.json()) as Json).error).toBe('invalid_grant');

    const right = await consent(sim.url, params, 'approve', ['9000000001']);
    const fields = {
      grant_type: 'authorization_code',
      code: right.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    };
    expect((await token(sim.url, fields)).status).toBe(200);
    const reused = await token(sim.url, fields);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as Json).error).toBe('invalid_grant');
  });

  it('expired access tokens are refused until refreshed; the refresh token is not rotated', async () => {
    const tokens = await authorizedTokens(sim.url);
    const query = { query: 'SELECT customer.id FROM customer' };
    expect((await search(sim.url, tokens.access_token, '1000000015', query)).status).toBe(200);
    await control('clock/advance', { ms: 3_600_000 });
    const expired = await search(sim.url, tokens.access_token, '1000000015', query);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as Json).error.details[0].errors[0].errorCode).toEqual({
      authenticationError: 'OAUTH_TOKEN_EXPIRED',
    });

    const refreshed = (await (
      await token(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    ).json()) as Json;
    expect(refreshed.refresh_token).toBeUndefined();
    expect((await search(sim.url, refreshed.access_token, '1000000015', query)).status).toBe(200);

    await control('expire', { platform: 'google', token: refreshed.access_token });
    expect((await search(sim.url, refreshed.access_token, '1000000015', query)).status).toBe(401);
  });

  it('revocation kills the refresh token and its access tokens', async () => {
    const tokens = await authorizedTokens(sim.url);
    expect(
      (await (await control('revoke', { platform: 'google', token: tokens.refresh_token })).json()) as Json,
    ).toEqual({
      revoked: 1,
    });
    const refused = await search(sim.url, tokens.access_token, '1000000015', {
      query: 'SELECT customer.id FROM customer',
    });
    expect(((await refused.json()) as Json).error.details[0].errors[0].errorCode).toEqual({
      authenticationError: 'OAUTH_TOKEN_REVOKED',
    });
    const refresh = await token(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.status).toBe(400);
    expect((await refresh.json()) as Json).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('the revoke endpoint revokes by token and rejects unknown tokens', async () => {
    const tokens = await authorizedTokens(sim.url);
    const ok = await fetch(`${sim.url}/google/oauth2/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: tokens.refresh_token }),
    });
    expect(ok.status).toBe(200);
    const again = await fetch(`${sim.url}/google/oauth2/revoke?token=${encodeURIComponent(tokens.refresh_token)}`, {
      method: 'POST',
    });
    expect(again.status).toBe(400);
    expect((await again.json()) as Json).toEqual({
      error: 'invalid_token',
      error_description: 'Token expired or revoked',
    });
  });
});

describe('Ads API', () => {
  it('client accounts need login-customer-id of the manager', async () => {
    const tokens = await authorizedTokens(sim.url);
    const client = GOOGLE_CLIENT_ACCOUNTS[0]?.id ?? '';
    const query = { query: 'SELECT customer.id FROM customer' };
    const missing = await search(sim.url, tokens.access_token, client, query);
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as Json).error.details[0].errors[0].errorCode).toEqual({
      authorizationError: 'USER_PERMISSION_DENIED',
    });
    expect((await search(sim.url, tokens.access_token, client, query, { login: '9000000001' })).status).toBe(200);
    const managerless = await authorizedTokens(sim.url, ['1000000015']);
    expect((await search(sim.url, managerless.access_token, client, query, { login: '9000000001' })).status).toBe(403);
  });

  it('answers 429 exactly past the per-customer limit, other customers unaffected', async () => {
    const tokens = await authorizedTokens(sim.url);
    const query = { query: 'SELECT customer.id FROM customer' };
    for (let i = 0; i < LIMIT; i += 1)
      expect((await search(sim.url, tokens.access_token, '1000000015', query)).status).toBe(200);
    const limited = await search(sim.url, tokens.access_token, '1000000015', query);
    expect(limited.status).toBe(429);
    const error = ((await limited.json()) as Json).error;
    expect(error.status).toBe('RESOURCE_EXHAUSTED');
    expect(error.details[0].errors[0].details.quotaErrorDetails.retryDelay).toMatch(/^\d+s$/);
    expect((await search(sim.url, tokens.access_token, '9000000001', query)).status).toBe(200);
    await control('clock/advance', { ms: 60_000 });
    expect((await search(sim.url, tokens.access_token, '1000000015', query)).status).toBe(200);
  });

  it('daily and regional totals equal the spend truth', async () => {
    const tokens = await authorizedTokens(sim.url);
    const account = GOOGLE_CLIENT_ACCOUNTS[0];
    if (account === undefined) throw new Error('no client account');
    const response = await search(
      sim.url,
      tokens.access_token,
      account.id,
      {
        query:
          'SELECT segments.date, metrics.cost_micros, metrics.clicks FROM customer WHERE segments.date DURING LAST_7_DAYS',
      },
      { login: '9000000001' },
    );
    const body = (await response.json()) as Json;
    expect(body.results).toHaveLength(7);
    const dates = body.results.map((row: { segments: { date: string } }) => row.segments.date);
    const truth = sumCells(spendCells('google', account, dates, sim.context.clock.now()), (cell) => cell.date);
    for (const row of body.results) {
      const expected = truth.get(row.segments.date);
      expect(row.metrics.costMicros).toBe(minorToMicros(expected?.spendMinor ?? 0, account.currency).toString());
      expect(row.metrics.clicks).toBe(String(expected?.clicks));
    }

    const direct = GOOGLE_DIRECT_ACCOUNTS[0];
    if (direct === undefined) throw new Error('no direct account');
    const range = datesBetween('2026-11-01', '2026-11-10');
    const geo = (await (
      await search(
        sim.url,
        tokens.access_token,
        direct.id,
        {
          query:
            "SELECT segments.geo_target_region, metrics.cost_micros FROM geographic_view WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-10'",
        },
        { stream: true },
      )
    ).json()) as Json;
    const total = geo[0].results.reduce(
      (sum: bigint, row: { metrics: { costMicros: string } }) => sum + BigInt(row.metrics.costMicros),
      0n,
    );
    const all = sumCells(spendCells('google', direct, range, sim.context.clock.now()), () => 'all').get('all');
    expect(total).toBe(minorToMicros(all?.spendMinor ?? 0, direct.currency));
    expect(geo[0].results).toHaveLength(direct.regions.length);
  });
});
