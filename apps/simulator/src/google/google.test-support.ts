// Test helpers for the simulated Google: a simulator with only Google mounted, and the OAuth flow completed
// by plain HTTP the way a script would (GET the consent page, POST the form, exchange the code).

import { GOOGLE_APP } from '../seed/apps.ts';
import { type RunningSimulator, startSimulator } from '../simulator.ts';
import type { SimulatorOptionsInput } from '../simulator-options.ts';
import { createGooglePlatform } from './google.platform.ts';

export const ADWORDS = 'https://www.googleapis.com/auth/adwords';
export const REDIRECT = 'https://app.example.com/cb';

export function startGoogle(options: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0 }, options, { platforms: [createGooglePlatform] });
}

export function authParams(extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: GOOGLE_APP.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: ADWORDS,
    access_type: 'offline',
    include_granted_scopes: 'true',
    state: 'st-1',
    ...extra,
  };
}

/** Submits the consent form; returns the redirect's query parameters. */
export async function consent(
  url: string,
  params: Record<string, string>,
  decision: 'approve' | 'deny',
  accounts: readonly string[],
): Promise<URLSearchParams> {
  const page = await fetch(`${url}/google/accounts/o/oauth2/v2/auth?${new URLSearchParams(params)}`);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const form = new URLSearchParams({ ...params, decision });
  for (const account of accounts) form.append('accounts', account);
  const response = await fetch(`${url}/google/accounts/o/oauth2/v2/auth`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  return new URL(response.headers.get('location') ?? '').searchParams;
}

export function token(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${url}/google/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: GOOGLE_APP.clientId, client_secret: GOOGLE_APP.clientSecret, ...fields }),
  });
}

export async function authorizedTokens(
  url: string,
  accounts: readonly string[] = ['9000000001', '1000000015'],
): Promise<{ access_token: string; refresh_token: string }> {
  const redirect = await consent(url, authParams({ prompt: 'consent' }), 'approve', accounts);
  const response = await token(url, {
    grant_type: 'authorization_code',
    code: redirect.get('code') ?? '',
    redirect_uri: REDIRECT,
  });
  return (await response.json()) as { access_token: string; refresh_token: string };
}

export function search(
  url: string,
  accessToken: string,
  cid: string,
  body: Record<string, unknown>,
  options: { stream?: boolean; login?: string; version?: string } = {},
): Promise<Response> {
  const method = options.stream === true ? 'searchStream' : 'search';
  return fetch(`${url}/google/ads/${options.version ?? 'v26'}/customers/${cid}/googleAds:${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      'developer-token': 'ignored',
      ...(options.login === undefined ? {} : { 'login-customer-id': options.login }),
    },
    body: JSON.stringify(body),
  });
}

/** Response JSON as the tests walk it: shapes are asserted field by field, not declared up front. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary response JSON
export type Json = any;
