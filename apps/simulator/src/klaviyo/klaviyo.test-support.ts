// Shared by the Klaviyo integration tests: a simulator with only Klaviyo mounted, request headers for the
// seeded private keys, and the OAuth flow completed by plain HTTP with PKCE.

import { createHash, randomBytes } from 'node:crypto';
import { completeConsent } from '../consent-client.ts';
import { KLAVIYO_APP, KLAVIYO_PRIVATE_KEYS } from '../seed/apps.ts';
import { type RunningSimulator, startSimulator } from '../simulator.ts';
import type { SimulatorOptionsInput } from '../simulator-options.ts';
import { createKlaviyoPlatform } from './klaviyo.platform.ts';

export const FULL_KEY = KLAVIYO_PRIVATE_KEYS[0].key;
export const READONLY_KEY = KLAVIYO_PRIVATE_KEYS[1].key;
export const REVISION = '2026-07-15';
export const REDIRECT_URI = 'https://app.adsync.example/oauth/klaviyo/callback';
export const BASIC = `Basic ${Buffer.from(`${KLAVIYO_APP.clientId}:${KLAVIYO_APP.clientSecret}`).toString('base64')}`;

export function startKlaviyo(options: SimulatorOptionsInput = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0 }, options, { platforms: [createKlaviyoPlatform] });
}

export function keyHeaders(key: string = FULL_KEY): Record<string, string> {
  return { authorization: `Klaviyo-API-Key ${key}`, revision: REVISION, accept: 'application/vnd.api+json' };
}

export function bearerHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, revision: REVISION, accept: 'application/vnd.api+json' };
}

export const writeHeaders = (headers: Record<string, string>) => ({
  ...headers,
  'content-type': 'application/vnd.api+json',
});

export async function control(sim: RunningSimulator, path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function authorizeUrl(
  sim: RunningSimulator,
  challenge: string | undefined,
  scope: string,
  state = 'st-1',
): string {
  const url = new URL(`${sim.url}/klaviyo/www/oauth/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', KLAVIYO_APP.clientId);
  url.searchParams.set('redirect_uri', REDIRECT_URI);
  url.searchParams.set('scope', scope);
  url.searchParams.set('state', state);
  if (challenge !== undefined) {
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('code_challenge', challenge);
  }
  return url.toString();
}

export async function tokenRequest(sim: RunningSimulator, form: Record<string, string>, path = 'a/oauth/token') {
  return fetch(`${sim.url}/klaviyo/${path}`, {
    method: 'POST',
    headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export const ALL_READ_SCOPES = 'accounts:read lists:read segments:read profiles:read catalogs:read';

/** Consent approved, code exchanged: the token set a connected app holds. */
export async function connect(sim: RunningSimulator, scope: string = ALL_READ_SCOPES): Promise<TokenSet> {
  const { verifier, challenge } = pkce();
  const callback = await completeConsent(authorizeUrl(sim, challenge, scope), { decision: 'approve' });
  const response = await tokenRequest(sim, {
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code') ?? '',
    code_verifier: verifier,
    redirect_uri: REDIRECT_URI,
  });
  if (response.status !== 200) throw new Error(`token exchange answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as TokenSet;
}

export interface ApiResource {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  links?: { self: string };
}
export interface ApiCollection {
  data: ApiResource[];
  links: { self: string; next: string | null; prev: null };
}
export interface ApiError {
  id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  source: { pointer?: string; parameter?: string };
}
export interface ApiErrors {
  errors: ApiError[];
}

export async function collection(response: Response): Promise<ApiCollection> {
  return (await response.json()) as ApiCollection;
}

export async function single(response: Response): Promise<{ data: ApiResource }> {
  return (await response.json()) as { data: ApiResource };
}

export async function firstError(response: Response): Promise<ApiError | undefined> {
  return ((await response.json()) as ApiErrors).errors[0];
}
