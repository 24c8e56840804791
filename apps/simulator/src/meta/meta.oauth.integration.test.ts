// Facebook Login against the simulated Meta: the dialog's redirects, the code and long-lived exchanges,
// debug_token, and error 190 with its subcodes once a token expires or is revoked.

import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeConsent } from '../consent-client.ts';
import { META_APP } from '../seed/apps.ts';
import type { RunningSimulator } from '../simulator.ts';
import {
  dialogUrl,
  exchangeCode,
  exchangeForLongLived,
  graph,
  type Json,
  longLivedToken,
  REDIRECT,
  shortLivedToken,
  startMeta,
} from './meta.test-support.ts';

const SHORT_SECONDS = 3600;
const LONG_SECONDS = 60 * 24 * 3600;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startMeta({ meta: { shortLivedTokenSeconds: SHORT_SECONDS, longLivedTokenSeconds: LONG_SECONDS } });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
});

async function control(path: string, body: Record<string, unknown>): Promise<Json> {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

async function graphError(
  response: Response,
): Promise<{ status: number; code: number; subcode?: number; message: string }> {
  const body = (await response.json()) as Json;
  return {
    status: response.status,
    code: body.error.code,
    subcode: body.error.error_subcode,
    message: body.error.message,
  };
}

describe('the dialog', () => {
  it('approval redirects with code and state, and the #_=_ fragment', async () => {
    const landed = await completeConsent(dialogUrl(sim.url, { state: 'abc 123' }), { decision: 'approve' });
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT);
    expect([...landed.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(landed.searchParams.get('state')).toBe('abc 123');
    expect(landed.hash).toBe('#_=_');
  });

  it('denial redirects with exactly the error parameters Facebook sends', async () => {
    const landed = await completeConsent(dialogUrl(sim.url), { decision: 'deny' });
    expect(Object.fromEntries(landed.searchParams)).toEqual({
      error: 'access_denied',
      error_code: '200',
      error_description: 'Permissions error',
      error_reason: 'user_denied',
      state: 'st-meta',
    });
  });

  it('an unknown app, a bad redirect URI or an unknown scope is shown on the page, never redirected', async () => {
    for (const extra of [{ client_id: '999' }, { redirect_uri: 'not a url' }, { scope: 'ads_read,ads_everything' }]) {
      const response = await fetch(dialogUrl(sim.url, extra), { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
    const scopePage = await (await fetch(dialogUrl(sim.url, { scope: 'ads_read,ads_everything' }))).text();
    expect(scopePage).toContain('Invalid Scopes: ads_everything');
  });
});

describe('oauth/access_token', () => {
  it('exchanges a code once for a short-lived bearer token, with no refresh token', async () => {
    const landed = await completeConsent(dialogUrl(sim.url), { decision: 'approve' });
    const code = landed.searchParams.get('code') ?? '';
    const response = await exchangeCode(sim.url, code);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(SHORT_SECONDS);
    expect(body.access_token).toMatch(/^EAA[A-Za-z0-9]+$/);
    expect(await graphError(await exchangeCode(sim.url, code))).toMatchObject({
      status: 400,
      code: 100,
      subcode: 36009,
    });
  });

  it('refuses a code with another redirect_uri, an expired code, a wrong secret and an unknown app', async () => {
    const first = await completeConsent(dialogUrl(sim.url), { decision: 'approve' });
    const code = first.searchParams.get('code') ?? '';
    expect(await graphError(await exchangeCode(sim.url, code, 'https://elsewhere.example/cb'))).toMatchObject({
      code: 100,
      subcode: 36008,
    });
    await control('clock/advance', { ms: 11 * 60_000 });
    expect(await graphError(await exchangeCode(sim.url, code))).toMatchObject({ code: 100, subcode: 36007 });

    const wrongSecret = await fetch(
      `${sim.url}/meta/graph/v25.0/oauth/access_token?${new URLSearchParams({ client_id: META_APP.appId, client_secret: 'nope', code: 'x', redirect_uri: REDIRECT })}`,
    );
    expect(await graphError(wrongSecret)).toMatchObject({
      status: 400,
      code: 1,
      message: 'Error validating client secret.',
    });
    const unknownApp = await fetch(
      `${sim.url}/meta/graph/v25.0/oauth/access_token?client_id=42&client_secret=x&code=x`,
    );
    expect(await graphError(unknownApp)).toMatchObject({ code: 101 });
  });

  it('fb_exchange_token turns a valid token into a ~60-day one; an expired token cannot be exchanged', async () => {
    const short = await shortLivedToken(sim.url);
    const response = await exchangeForLongLived(sim.url, short);
    const body = (await response.json()) as Json;
    expect(response.status).toBe(200);
    expect(body.expires_in).toBe(LONG_SECONDS);
    expect(body.token_type).toBe('bearer');
    expect(body.access_token).not.toBe(short);

    const another = await shortLivedToken(sim.url);
    expect(await control('expire', { platform: 'meta', token: another })).toEqual({ expired: 1 });
    expect(await graphError(await exchangeForLongLived(sim.url, another))).toMatchObject({ code: 190, subcode: 463 });
  });
});

describe('token states on Graph calls', () => {
  it('valid, expired (190/463), removed app (190/458), changed password (190/460), unknown (190), missing (104)', async () => {
    const token = await longLivedToken(sim.url);
    expect((await graph(sim.url, 'v25.0/me', token)).status).toBe(200);

    await control('clock/advance', { ms: (LONG_SECONDS + 1) * 1000 });
    const expired = await graphError(await graph(sim.url, 'v25.0/me', token));
    expect(expired).toMatchObject({ status: 400, code: 190, subcode: 463 });
    expect(expired.message).toMatch(/^Error validating access token: Session has expired on /);

    const revoked = await longLivedToken(sim.url);
    expect(await control('revoke', { platform: 'meta', token: revoked })).toEqual({ revoked: 1 });
    expect(await graphError(await graph(sim.url, 'v25.0/me', revoked))).toMatchObject({ code: 190, subcode: 458 });

    const session = await longLivedToken(sim.url);
    expect(await control('meta/invalidate-session', { token: session })).toEqual({ result: { invalidated: 1 } });
    expect(await graphError(await graph(sim.url, 'v25.0/me', session))).toMatchObject({ code: 190, subcode: 460 });

    const unknown = await graphError(await graph(sim.url, 'v25.0/me', 'EAAnotatoken'));
    expect(unknown).toMatchObject({ code: 190 });
    expect(unknown.subcode).toBeUndefined();
    expect(await graphError(await graph(sim.url, 'v25.0/me'))).toMatchObject({ code: 104 });
  });

  it('DELETE /me/permissions removes the app: the token stops working with 190/458', async () => {
    const token = await longLivedToken(sim.url);
    const response = await fetch(`${sim.url}/meta/graph/v25.0/me/permissions?access_token=${token}`, {
      method: 'DELETE',
    });
    expect(await response.json()).toEqual({ success: true });
    expect(await graphError(await graph(sim.url, 'v25.0/me', token))).toMatchObject({ code: 190, subcode: 458 });
  });

  it('accepts the token as a Bearer header and checks appsecret_proof when sent', async () => {
    const token = await longLivedToken(sim.url);
    const viaHeader = await fetch(`${sim.url}/meta/graph/v25.0/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(viaHeader.status).toBe(200);
    const proof = createHmac('sha256', META_APP.appSecret).update(token).digest('hex');
    expect((await graph(sim.url, `v25.0/me?appsecret_proof=${proof}`, token)).status).toBe(200);
    expect(await graphError(await graph(sim.url, `v25.0/me?appsecret_proof=${'0'.repeat(64)}`, token))).toMatchObject({
      code: 100,
    });
  });

  it('works with any vNN.N prefix and without one', async () => {
    const token = await longLivedToken(sim.url);
    for (const path of ['v19.0/me', 'v25.0/me', 'me']) expect((await graph(sim.url, path, token)).status).toBe(200);
    expect(await graphError(await graph(sim.url, 'v25.0/nothing-here/at-all', token))).toMatchObject({
      code: 100,
      subcode: 33,
    });
  });
});

describe('debug_token', () => {
  it('describes a valid token, then the same token once revoked', async () => {
    const token = await longLivedToken(sim.url, { accounts: ['act_1000000002'] });
    const appToken = `${META_APP.appId}|${META_APP.appSecret}`;
    const inspect = async () =>
      ((await (await graph(sim.url, `v25.0/debug_token?input_token=${token}`, appToken)).json()) as Json).data;
    const valid = await inspect();
    expect(valid).toMatchObject({
      app_id: META_APP.appId,
      type: 'USER',
      application: META_APP.name,
      is_valid: true,
      user_id: '10000000001',
    });
    expect(valid.expires_at - valid.issued_at).toBe(LONG_SECONDS);
    expect(valid.scopes).toEqual(expect.arrayContaining(['ads_read', 'ads_management', 'business_management']));
    expect(valid.granular_scopes).toContainEqual({ scope: 'ads_read', target_ids: ['1000000002'] });
    expect(valid.error).toBeUndefined();

    await control('revoke', { platform: 'meta', token });
    const revoked = await inspect();
    expect(revoked.is_valid).toBe(false);
    expect(revoked.error).toMatchObject({ code: 190, subcode: 458 });

    const unknown = ((await (await graph(sim.url, 'v25.0/debug_token?input_token=EAAx', appToken)).json()) as Json)
      .data;
    expect(unknown).toMatchObject({ is_valid: false, error: { code: 190 } });
  });

  it('the authorize control action gives a code that exchanges like a dialog code', async () => {
    const { result } = await control('meta/authorize', { redirect_uri: REDIRECT, accounts: ['act_1000000003'] });
    const response = await exchangeCode(sim.url, result.code);
    const token = ((await response.json()) as Json).access_token;
    const accounts = (await (await graph(sim.url, 'v25.0/me/adaccounts', token)).json()) as Json;
    expect(accounts.data).toEqual([{ account_id: '1000000003', id: 'act_1000000003' }]);
  });
});
