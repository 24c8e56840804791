// Shared by the TikTok integration tests: a simulator with only TikTok mounted, the consent flow done by
// plain HTTP, and small helpers for calling the API the way a TikTok client does.

import { completeConsent } from '../consent-client.ts';
import { TIKTOK_APPS } from '../seed/apps.ts';
import { type RunningSimulator, startSimulator } from '../simulator.ts';
import type { SimulatorOptionsInput } from '../simulator-options.ts';
import { createTikTokPlatform } from './tiktok.platform.ts';

export const ROTATING_APP = TIKTOK_APPS[0];
export const LONG_TERM_APP = TIKTOK_APPS[1];
export const REDIRECT_URI = 'http://localhost:4000/oauth/tiktok/callback';

export interface TikTokBody {
  code: number;
  message: string;
  request_id: string;
  data: Record<string, unknown>;
}

export function startTikTok(options: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0 }, options, { platforms: [createTikTokPlatform] });
}

export function api(simulator: RunningSimulator): string {
  return `${simulator.url}/tiktok/open_api/v1.3`;
}

export function authorizeUrl(simulator: RunningSimulator, appId: string, state = 'state-123'): string {
  const query = new URLSearchParams({ app_id: appId, state, redirect_uri: REDIRECT_URI });
  return `${simulator.url}/tiktok/portal/auth?${query}`;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as TikTokBody };
}

export async function getJson(url: string, token?: string) {
  const response = await fetch(url, token === undefined ? {} : { headers: { 'Access-Token': token } });
  return { status: response.status, body: (await response.json()) as TikTokBody };
}

/** Query string with TikTok's JSON-encoded arrays. */
export function query(params: Record<string, string | number | readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    search.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return search.toString();
}

/** Consent page approved by plain HTTP, then the auth_code exchanged: the token response's `data`. */
export async function connect(
  simulator: RunningSimulator,
  app: (typeof TIKTOK_APPS)[number] = ROTATING_APP,
  accounts?: readonly string[],
): Promise<Record<string, unknown> & { access_token: string }> {
  const callback = await completeConsent(authorizeUrl(simulator, app.appId), {
    decision: 'approve',
    ...(accounts === undefined ? {} : { accounts }),
  });
  const exchange = await postJson(`${api(simulator)}/oauth2/access_token/`, {
    app_id: app.appId,
    secret: app.secret,
    auth_code: callback.searchParams.get('auth_code'),
  });
  if (exchange.body.code !== 0) throw new Error(`token exchange failed: ${JSON.stringify(exchange.body)}`);
  return exchange.body.data as Record<string, unknown> & { access_token: string };
}

export async function control(simulator: RunningSimulator, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${simulator.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}
