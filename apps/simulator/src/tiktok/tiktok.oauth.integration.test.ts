// The TikTok OAuth behaviour over real HTTP: consent, denial, code exchange, expiry, refresh rotation,
// revocation, and the QPS limit signal.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeConsent } from '../consent-client.ts';
import type { RunningSimulator } from '../simulator.ts';
import {
  api,
  authorizeUrl,
  connect,
  control,
  getJson,
  LONG_TERM_APP,
  postJson,
  query,
  REDIRECT_URI,
  ROTATING_APP,
  startTikTok,
} from './tiktok.fixture.ts';
import type { TikTokApp } from './tiktok.state.ts';

const HOUR = 3_600_000;
const US = '7000000000000000001';
const UK = '7000000000000000002';

describe('TikTok advertiser OAuth', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTikTok({ tiktok: { accessTokenSeconds: 24 * 3600, refreshTokenSeconds: 365 * 24 * 3600 } });
  });
  afterAll(() => simulator.close());
  beforeEach(() => control(simulator, 'reset', {}));

  const advertisers = (token: string, app: TikTokApp = ROTATING_APP) =>
    getJson(`${api(simulator)}/oauth2/advertiser/get/?${query({ app_id: app.appId, secret: app.secret })}`, token);

  it('completes the consent flow by plain HTTP and grants only the advertisers left checked', async () => {
    const page = await fetch(authorizeUrl(simulator, ROTATING_APP.appId));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Acme TikTok US');
    expect(html).toContain('Acme TikTok Samoa');

    const callback = await completeConsent(authorizeUrl(simulator, ROTATING_APP.appId, 'xyz'), {
      decision: 'approve',
      accounts: [US, UK],
    });
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('xyz');
    const code = callback.searchParams.get('auth_code');
    expect(code).toMatch(/^[0-9a-f]{40}$/);
    expect(callback.searchParams.get('code')).toBe(code);

    const exchange = await postJson(`${api(simulator)}/oauth2/access_token/`, {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      auth_code: code,
    });
    expect(exchange.body.code).toBe(0);
    expect(exchange.body.data.advertiser_ids).toEqual([US, UK]);
    const listed = await advertisers(exchange.body.data.access_token as string);
    expect(listed.body.data.list).toEqual([
      { advertiser_id: US, advertiser_name: 'Acme TikTok US' },
      { advertiser_id: UK, advertiser_name: 'Acme TikTok UK' },
    ]);
  });

  it('also serves the older /marketing_api/auth path', async () => {
    const url = authorizeUrl(simulator, LONG_TERM_APP.appId).replace('/portal/auth', '/marketing_api/auth');
    const callback = await completeConsent(url, { decision: 'approve' });
    expect(callback.searchParams.get('auth_code')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('redirects a denial with error=access_denied, the state, and no auth_code', async () => {
    const callback = await completeConsent(authorizeUrl(simulator, ROTATING_APP.appId, 'deny-state'), {
      decision: 'deny',
    });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('deny-state');
    expect(callback.searchParams.has('auth_code')).toBe(false);
  });

  it('rejects an unknown app on the portal with an error page', async () => {
    const response = await fetch(authorizeUrl(simulator, '999'));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('app_id is invalid');
  });

  it('accepts an auth_code once, and not after its hour', async () => {
    const first = await completeConsent(authorizeUrl(simulator, ROTATING_APP.appId), { decision: 'approve' });
    const body = {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      auth_code: first.searchParams.get('auth_code'),
    };
    expect((await postJson(`${api(simulator)}/oauth2/access_token/`, body)).body.code).toBe(0);
    expect((await postJson(`${api(simulator)}/oauth2/access_token/`, body)).body.code).toBe(40110);

    const second = await completeConsent(authorizeUrl(simulator, ROTATING_APP.appId), { decision: 'approve' });
    await control(simulator, 'clock/advance', { ms: HOUR });
    const late = await postJson(`${api(simulator)}/oauth2/access_token/`, {
      ...body,
      auth_code: second.searchParams.get('auth_code'),
    });
    expect(late.body.code).toBe(40110);
  });

  it('rejects a wrong secret with 40101', async () => {
    const callback = await completeConsent(authorizeUrl(simulator, ROTATING_APP.appId), { decision: 'approve' });
    const exchange = await postJson(`${api(simulator)}/oauth2/access_token/`, {
      app_id: ROTATING_APP.appId,
      secret: 'wrong',
      auth_code: callback.searchParams.get('auth_code'),
    });
    expect(exchange.body.code).toBe(40101);
  });

  it('expires rotating access tokens after their lifetime (40102) and rotates refresh tokens', async () => {
    const granted = await connect(simulator);
    expect(granted.access_token_expire_in).toBe(86_400);
    expect(granted.refresh_token_expire_in).toBe(31_536_000);

    await control(simulator, 'clock/advance', { ms: 24 * HOUR - 1_000 });
    expect((await advertisers(granted.access_token)).body.code).toBe(0);
    await control(simulator, 'clock/advance', { ms: 1_000 });
    expect((await advertisers(granted.access_token)).body.code).toBe(40102);

    const refreshBody = {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      refresh_token: granted.refresh_token,
      grant_type: 'refresh_token',
    };
    const refreshed = await postJson(`${api(simulator)}/oauth2/refresh_token/`, refreshBody);
    expect(refreshed.body.code).toBe(0);
    expect(refreshed.body.data.refresh_token).not.toBe(granted.refresh_token);
    expect(refreshed.body.data.access_token_expire_in).toBe(86_400);
    expect(refreshed.body.data.refresh_token_expire_in).toBe(31_536_000 - 86_400);
    expect((await advertisers(refreshed.body.data.access_token as string)).body.code).toBe(0);

    const reused = await postJson(`${api(simulator)}/oauth2/refresh_token/`, refreshBody);
    expect(reused.body.code).toBe(40107);
    const next = await postJson(`${api(simulator)}/oauth2/refresh_token/`, {
      ...refreshBody,
      refresh_token: refreshed.body.data.refresh_token,
    });
    expect(next.body.code).toBe(0);
  });

  it('refuses a refresh after the authorization year with 40103', async () => {
    const granted = await connect(simulator);
    await control(simulator, 'clock/advance', { ms: 365 * 24 * HOUR });
    const refreshed = await postJson(`${api(simulator)}/oauth2/refresh_token/`, {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      refresh_token: granted.refresh_token,
      grant_type: 'refresh_token',
    });
    expect(refreshed.body.code).toBe(40103);
  });

  it('gives the long-term app a token without expiry or refresh token', async () => {
    const granted = await connect(simulator, LONG_TERM_APP);
    expect(Object.keys(granted).sort()).toEqual(['access_token', 'advertiser_ids', 'scope']);
    await control(simulator, 'clock/advance', { ms: 400 * 24 * HOUR });
    expect(await control(simulator, 'expire', { platform: 'tiktok', token: granted.access_token })).toEqual({
      expired: 0,
    });
    expect((await advertisers(granted.access_token, LONG_TERM_APP)).body.code).toBe(0);
    const refreshed = await postJson(`${api(simulator)}/oauth2/refresh_token/`, {
      app_id: LONG_TERM_APP.appId,
      secret: LONG_TERM_APP.secret,
      refresh_token: granted.access_token,
      grant_type: 'refresh_token',
    });
    expect(refreshed.body.code).toBe(40107);
  });

  it('expires a rotating token on demand through the control API', async () => {
    const granted = await connect(simulator);
    expect(await control(simulator, 'expire', { platform: 'tiktok', token: granted.access_token })).toEqual({
      expired: 1,
    });
    expect((await advertisers(granted.access_token)).body.code).toBe(40102);
  });

  it('answers 40105 once a grant is revoked, by the control API or revoke_token', async () => {
    const first = await connect(simulator);
    expect(await control(simulator, 'revoke', { platform: 'tiktok', token: first.access_token })).toEqual({
      revoked: 1,
    });
    expect((await advertisers(first.access_token)).body.code).toBe(40105);
    const refreshed = await postJson(`${api(simulator)}/oauth2/refresh_token/`, {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      refresh_token: first.refresh_token,
      grant_type: 'refresh_token',
    });
    expect(refreshed.body.code).toBe(40107);

    const second = await connect(simulator, LONG_TERM_APP);
    const revoked = await postJson(`${api(simulator)}/oauth2/revoke_token/`, {
      app_id: LONG_TERM_APP.appId,
      secret: LONG_TERM_APP.secret,
      access_token: second.access_token,
    });
    expect(revoked.body).toMatchObject({ code: 0, message: 'OK', data: {} });
    expect((await advertisers(second.access_token, LONG_TERM_APP)).body.code).toBe(40105);
  });

  it('answers 40104 without the Access-Token header and 40105 for a token it never issued', async () => {
    const url = `${api(simulator)}/oauth2/advertiser/get/?${query({ app_id: ROTATING_APP.appId, secret: ROTATING_APP.secret })}`;
    expect((await getJson(url)).body.code).toBe(40104);
    expect((await getJson(url, 'not-a-token')).body.code).toBe(40105);
    const bearer = await fetch(url, { headers: { Authorization: 'Bearer not-a-token' } });
    expect(((await bearer.json()) as { code: number }).code).toBe(40104);
  });

  it('issues auth codes through the authorize control action', async () => {
    const result = (await control(simulator, 'tiktok/authorize', {
      app_id: LONG_TERM_APP.appId,
      advertiser_ids: [UK],
    })) as { result: { auth_code: string } };
    const exchange = await postJson(`${api(simulator)}/oauth2/access_token/`, {
      app_id: LONG_TERM_APP.appId,
      secret: LONG_TERM_APP.secret,
      auth_code: result.result.auth_code,
    });
    expect(exchange.body.data.advertiser_ids).toEqual([UK]);
  });
});

describe('TikTok rate limit', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTikTok({ tiktok: { requestsPerSecond: 3 } });
  });
  afterAll(() => simulator.close());

  it('answers HTTP 200 with code 40100 exactly past the per-second limit, and recovers the next second', async () => {
    const granted = await connect(simulator);
    const url = `${api(simulator)}/advertiser/info/?${query({ advertiser_ids: [US] })}`;
    // The simulated clock runs with real time; start the burst just after a second begins so its four
    // requests (a few milliseconds) share one window.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    const codes: number[] = [];
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1) {
      const response = await getJson(url, granted.access_token);
      codes.push(response.body.code);
      statuses.push(response.status);
    }
    // Limits are per endpoint: another endpoint of the same app still answers in the same second.
    const other = await getJson(
      `${api(simulator)}/oauth2/advertiser/get/?${query({ app_id: ROTATING_APP.appId, secret: ROTATING_APP.secret })}`,
      granted.access_token,
    );
    expect(codes).toEqual([0, 0, 0, 40100]);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(other.body.code).toBe(0);
    await control(simulator, 'clock/advance', { ms: 1000 });
    expect((await getJson(url, granted.access_token)).body.code).toBe(0);
  });
});
