// Test helpers for the simulated Meta: a simulator with only Meta mounted, the dialog completed by plain
// HTTP, the code exchanged, and Graph calls with a token.

import { completeConsent } from '../consent-client.ts';
import { META_APP } from '../seed/apps.ts';
import { type RunningSimulator, startSimulator } from '../simulator.ts';
import type { SimulatorOptionsInput } from '../simulator-options.ts';
import { createMetaPlatform } from './meta.platform.ts';

export const REDIRECT = 'https://app.example.com/meta/callback';
export const SCOPES = 'ads_read,ads_management,business_management';

export function startMeta(options: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0 }, options, { platforms: [createMetaPlatform] });
}

export function dialogUrl(url: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    client_id: META_APP.appId,
    redirect_uri: REDIRECT,
    state: 'st-meta',
    scope: SCOPES,
    response_type: 'code',
    ...extra,
  });
  return `${url}/meta/www/v25.0/dialog/oauth?${params}`;
}

/** GET `/meta/graph/{path}` (write the version into `path`: `v25.0/me`), the token in `access_token`. */
export function graph(url: string, path: string, accessToken?: string): Promise<Response> {
  const target = new URL(`${url}/meta/graph/${path}`);
  if (accessToken !== undefined) target.searchParams.set('access_token', accessToken);
  return fetch(target);
}

export function post(url: string, path: string, accessToken: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${url}/meta/graph/v25.0/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function exchangeCode(url: string, code: string, redirectUri = REDIRECT): Promise<Response> {
  const params = new URLSearchParams({
    client_id: META_APP.appId,
    client_secret: META_APP.appSecret,
    redirect_uri: redirectUri,
    code,
  });
  return fetch(`${url}/meta/graph/v25.0/oauth/access_token?${params}`);
}

export function exchangeForLongLived(url: string, token: string): Promise<Response> {
  const params = new URLSearchParams({
    grant_type: 'fb_exchange_token',
    client_id: META_APP.appId,
    client_secret: META_APP.appSecret,
    fb_exchange_token: token,
  });
  return fetch(`${url}/meta/graph/v25.0/oauth/access_token?${params}`);
}

/** Approves the dialog for `accounts` (all by default) and returns the short-lived token. */
export async function shortLivedToken(
  url: string,
  choice: { accounts?: readonly string[]; scope?: string } = {},
): Promise<string> {
  const landed = await completeConsent(dialogUrl(url, choice.scope === undefined ? {} : { scope: choice.scope }), {
    decision: 'approve',
    ...(choice.accounts === undefined ? {} : { accounts: choice.accounts }),
  });
  const response = await exchangeCode(url, landed.searchParams.get('code') ?? '');
  if (response.status !== 200) throw new Error(`code exchange answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function longLivedToken(
  url: string,
  choice: { accounts?: readonly string[]; scope?: string } = {},
): Promise<string> {
  const response = await exchangeForLongLived(url, await shortLivedToken(url, choice));
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Response JSON as the tests walk it: shapes are asserted field by field, not declared up front. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary response JSON
export type Json = any;
