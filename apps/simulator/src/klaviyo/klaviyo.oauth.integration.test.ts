// Klaviyo OAuth over plain HTTP: consent with PKCE, denial, code exchange, rotating refresh tokens,
// expiry by clock and control API, revocation by the control API and by /oauth/revoke.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeConsent } from '../consent-client.ts';
import type { RunningSimulator } from '../simulator.ts';
import {
  ALL_READ_SCOPES,
  authorizeUrl,
  BASIC,
  bearerHeaders,
  connect,
  control,
  firstError,
  pkce,
  REDIRECT_URI,
  startKlaviyo,
  type TokenSet,
  tokenRequest,
} from './klaviyo.test-support.ts';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startKlaviyo({ klaviyo: { accessTokenSeconds: 60, rateLimitDivisor: 0.01 } });
});
beforeEach(async () => {
  await control(sim, 'reset', {});
});
afterAll(() => sim.close());

const lists = (token: string) => fetch(`${sim.url}/klaviyo/a/api/lists`, { headers: bearerHeaders(token) });

describe('authorization', () => {
  it('shows the account on the consent page and returns code and state on approval', async () => {
    const { challenge } = pkce();
    const page = await fetch(authorizeUrl(sim, challenge, ALL_READ_SCOPES));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Acme Store');
    expect(html).toContain('lists:read');
    const callback = await completeConsent(authorizeUrl(sim, challenge, ALL_READ_SCOPES, 'xyz'), {
      decision: 'approve',
    });
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('redirects with error=access_denied when the user denies', async () => {
    const { challenge } = pkce();
    const callback = await completeConsent(authorizeUrl(sim, challenge, ALL_READ_SCOPES, 'deny-1'), {
      decision: 'deny',
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toEqual(expect.any(String));
    expect(callback.searchParams.get('state')).toBe('deny-1');
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('refuses an authorization request without PKCE', async () => {
    const response = await fetch(authorizeUrl(sim, undefined, ALL_READ_SCOPES), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a code exchange with the wrong verifier, and a reused code', async () => {
    const { verifier, challenge } = pkce();
    const callback = await completeConsent(authorizeUrl(sim, challenge, ALL_READ_SCOPES), { decision: 'approve' });
    const code = callback.searchParams.get('code') ?? '';
    const exchange = (codeVerifier: string) =>
      tokenRequest(sim, {
        grant_type: 'authorization_code',
        code,
        code_verifier: codeVerifier,
        redirect_uri: REDIRECT_URI,
      });
    const wrong = await exchange(pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await exchange(verifier)).status).toBe(200);
    const replay = await exchange(verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('requires HTTP Basic client authentication at the token endpoint', async () => {
    const response = await fetch(`${sim.url}/klaviyo/a/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=x',
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('refuses token requests on the www host', async () => {
    const response = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: 'x' }, 'www/oauth/token');
    expect(response.status).toBe(403);
  });
});

describe('tokens', () => {
  let tokens: TokenSet;
  beforeEach(async () => {
    tokens = await connect(sim);
  });

  it('issues a Bearer token set whose access token works on /api', async () => {
    expect(tokens).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 60,
      refresh_token: expect.any(String),
      scope: ALL_READ_SCOPES,
    });
    expect((await lists(tokens.access_token)).status).toBe(200);
  });

  it('rotates the refresh token: the new one works, the old one is invalid_grant at once', async () => {
    const refreshed = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as TokenSet;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.token_type).toBe('Bearer');
    expect((await lists(next.access_token)).status).toBe(200);

    const reuse = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe('invalid_grant');
    const again = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: next.refresh_token });
    expect(again.status).toBe(200);

    // The control API says when each was superseded (the chaos suite tells a rotation lost to a kill by it).
    const supersededAt = async (token: string) =>
      ((await (await control(sim, 'klaviyo/refresh-token', { token })).json()) as { result: { supersededAt: unknown } })
        .result.supersededAt;
    expect(await supersededAt(tokens.refresh_token)).toEqual(expect.any(Number));
    const latest = (await again.json()) as TokenSet;
    expect(await supersededAt(latest.refresh_token)).toBeNull();
  });

  it('expires access tokens by clock time and by the control API; refreshing recovers', async () => {
    await control(sim, 'clock/advance', { ms: 61_000 });
    const expired = await lists(tokens.access_token);
    expect(expired.status).toBe(401);
    expect((await firstError(expired))?.code).toBe('not_authenticated');

    const next = (await (
      await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    ).json()) as TokenSet;
    expect((await lists(next.access_token)).status).toBe(200);
    const expire = await control(sim, 'expire', { platform: 'klaviyo', token: next.access_token });
    expect(await expire.json()).toEqual({ expired: 1 });
    expect((await lists(next.access_token)).status).toBe(401);
  });

  it('revokes a grant through POST /_control/revoke: API 401, refresh invalid_grant', async () => {
    const revoke = await control(sim, 'revoke', { platform: 'klaviyo', token: tokens.refresh_token });
    expect(await revoke.json()).toEqual({ revoked: 1 });
    expect((await lists(tokens.access_token)).status).toBe(401);
    const refresh = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('revokes a grant through POST /oauth/revoke with the refresh token', async () => {
    const response = await fetch(`${sim.url}/klaviyo/a/oauth/revoke`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, token_type_hint: 'refresh_token' }).toString(),
    });
    expect(response.status).toBe(200);
    expect((await lists(tokens.access_token)).status).toBe(401);
    const refresh = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refresh.status).toBe(400);
  });

  it('denies endpoints outside the granted scopes with 403', async () => {
    const narrow = await connect(sim, 'lists:read');
    const response = await fetch(`${sim.url}/klaviyo/a/api/segments`, { headers: bearerHeaders(narrow.access_token) });
    expect(response.status).toBe(403);
    expect((await firstError(response))?.code).toBe('permission_denied');
  });
});
