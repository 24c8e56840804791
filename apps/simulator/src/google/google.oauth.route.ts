// Google's OAuth 2.0 web-server flow: the consent page (accounts host), the token endpoint with the
// authorization_code and refresh_token grants, and revocation (oauth2 host).

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { grantedAccounts, renderConsentPage } from '../core/consent-page.ts';
import type { SimulatorContext } from '../core/platform.ts';
import { opaqueToken } from '../core/tokens.ts';
import { GOOGLE_DIRECT_ACCOUNTS, GOOGLE_MANAGER } from '../seed/accounts.ts';
import { GOOGLE_APP } from '../seed/apps.ts';
import type { GoogleGrant, GoogleState } from './google.state.ts';

const ADWORDS_SCOPE = 'https://www.googleapis.com/auth/adwords';
const AUTH_PATH = '/accounts/o/oauth2/v2/auth';
const FORWARDED = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'access_type',
  'prompt',
  'include_granted_scopes',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

type Params = Record<string, string | undefined>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function errorPage(reply: FastifyReply, message: string) {
  return reply
    .status(400)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><title>Error 400</title><h1>400. That’s an error.</h1><p>${message}</p>`);
}

/** Problems with the client or redirect are shown to the user, never redirected (RFC 6749 §4.1.2.1). */
function clientProblem(params: Params): string | undefined {
  if (params.client_id !== GOOGLE_APP.clientId) return 'Error 401: invalid_client. The OAuth client was not found.';
  const redirect = params.redirect_uri ?? '';
  if (!/^https?:\/\/[^\s]+$/.test(redirect)) return 'Error 400: redirect_uri_mismatch.';
  return undefined;
}

function requestProblem(params: Params): string | undefined {
  if (params.response_type !== 'code') return 'unsupported_response_type';
  const scopes = (params.scope ?? '').split(' ').filter(Boolean);
  if (!scopes.includes(ADWORDS_SCOPE)) return 'invalid_scope';
  const method = params.code_challenge_method;
  if (params.code_challenge !== undefined && method !== undefined && method !== 'S256' && method !== 'plain') {
    return 'invalid_request';
  }
  return undefined;
}

function redirectTo(base: string, query: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

function tokenError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.status(status).send({ error, error_description: description });
}

function basicCredentials(request: FastifyRequest): { id?: string; secret?: string } {
  const header = request.headers.authorization;
  if (header === undefined || !header.startsWith('Basic ')) return {};
  const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  return {
    ...(id === undefined ? {} : { id: decodeURIComponent(id) }),
    ...(secret === undefined ? {} : { secret: decodeURIComponent(secret) }),
  };
}

function pkceMatches(challenge: string, method: string | undefined, verifier: string | undefined): boolean {
  if (verifier === undefined) return false;
  if (method === 'S256') return createHash('sha256').update(verifier).digest('base64url') === challenge;
  return verifier === challenge;
}

export function googleOauthRoutes(context: SimulatorContext, state: GoogleState) {
  const accessSeconds = context.options.google.accessTokenSeconds;

  function tokenResponse(grant: GoogleGrant, withRefresh: boolean) {
    const issued = state.issueAccessToken(grant, context.clock.now() + accessSeconds * 1000);
    return {
      access_token: issued.token,
      // Google reports one second less than the lifetime (3599 for an hour).
      expires_in: accessSeconds - 1,
      ...(withRefresh ? { refresh_token: grant.refreshToken } : {}),
      scope: grant.scope,
      token_type: 'Bearer',
    };
  }

  return async (app: FastifyInstance) => {
    app.get(AUTH_PATH, async (request, reply) => {
      const params = request.query as Params;
      const problem = clientProblem(params);
      if (problem !== undefined) return errorPage(reply, problem);
      const invalid = requestProblem(params);
      if (invalid !== undefined) {
        return reply.redirect(redirectTo(params.redirect_uri ?? '', { error: invalid, state: params.state }));
      }
      const hidden: Record<string, string> = {};
      for (const name of FORWARDED) {
        const value = params[name];
        if (value !== undefined) hidden[name] = value;
      }
      const accounts = [GOOGLE_MANAGER, ...GOOGLE_DIRECT_ACCOUNTS].map((account) => ({
        id: account.id,
        name: account.name,
        detail: account === GOOGLE_MANAGER ? 'manager account' : `${account.currency} · ${account.timezone}`,
      }));
      return reply.type('text/html; charset=utf-8').send(
        renderConsentPage({
          platformName: 'Google Ads',
          appName: GOOGLE_APP.name,
          scopes: (params.scope ?? '').split(' ').filter(Boolean),
          accounts,
          action: `/google${AUTH_PATH}`,
          hidden,
        }),
      );
    });

    app.post(AUTH_PATH, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const params: Params = {};
      for (const name of FORWARDED) params[name] = text(body[name]);
      const problem = clientProblem(params);
      if (problem !== undefined) return errorPage(reply, problem);
      const invalid = requestProblem(params);
      const redirectUri = params.redirect_uri ?? '';
      if (invalid !== undefined)
        return reply.redirect(redirectTo(redirectUri, { error: invalid, state: params.state }));
      if (body.decision !== 'approve') {
        return reply.redirect(redirectTo(redirectUri, { error: 'access_denied', state: params.state }));
      }
      const reachable = new Set([GOOGLE_MANAGER.id, ...GOOGLE_DIRECT_ACCOUNTS.map((account) => account.id)]);
      const customerIds = grantedAccounts(body).filter((id) => reachable.has(id));
      const code = `4/0A${opaqueToken('', 48)}`;
      state.codes.set(code, {
        clientId: params.client_id ?? '',
        redirectUri,
        scope: params.scope ?? '',
        customerIds,
        accessType: params.access_type ?? 'online',
        promptConsent: (params.prompt ?? '').split(' ').includes('consent'),
        ...(params.code_challenge === undefined ? {} : { codeChallenge: params.code_challenge }),
        ...(params.code_challenge_method === undefined ? {} : { codeChallengeMethod: params.code_challenge_method }),
      });
      return reply.redirect(redirectTo(redirectUri, { code, scope: params.scope, state: params.state }));
    });

    app.post('/oauth2/token', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const basic = basicCredentials(request);
      const clientId = text(body.client_id) ?? basic.id;
      const clientSecret = text(body.client_secret) ?? basic.secret;
      const grantType = text(body.grant_type);
      if (grantType === undefined)
        return tokenError(reply, 400, 'invalid_request', 'Required parameter is missing: grant_type');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        return tokenError(reply, 400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
      }
      if (clientId !== GOOGLE_APP.clientId || clientSecret !== GOOGLE_APP.clientSecret) {
        return tokenError(reply, 401, 'invalid_client', 'Unauthorized');
      }
      if (grantType === 'authorization_code') {
        const codeValue = text(body.code);
        if (codeValue === undefined)
          return tokenError(reply, 400, 'invalid_request', 'Missing required parameter: code');
        const code = state.codes.get(codeValue);
        // Codes are single-use: the first exchange consumes it whatever the outcome.
        state.codes.delete(codeValue);
        if (code === undefined || code.clientId !== clientId)
          return tokenError(reply, 400, 'invalid_grant', 'Malformed auth code.');
        if (text(body.redirect_uri) !== code.redirectUri)
          return tokenError(reply, 400, 'redirect_uri_mismatch', 'Bad Request');
        if (
          code.codeChallenge !== undefined &&
          !pkceMatches(code.codeChallenge, code.codeChallengeMethod, text(body.code_verifier))
        ) {
          return tokenError(reply, 400, 'invalid_grant', 'Invalid code verifier.');
        }
        const firstConsent = !state.consented.has(clientId);
        state.consented.add(clientId);
        const grant = state.newGrant(code);
        const withRefresh = code.accessType === 'offline' && (firstConsent || code.promptConsent);
        return tokenResponse(grant, withRefresh);
      }
      const refreshToken = text(body.refresh_token);
      if (refreshToken === undefined)
        return tokenError(reply, 400, 'invalid_request', 'Missing required parameter: refresh_token');
      const grant = state.grantByRefreshToken(refreshToken);
      if (grant === undefined || grant.revoked || grant.clientId !== clientId) {
        return tokenError(reply, 400, 'invalid_grant', 'Token has been expired or revoked.');
      }
      return tokenResponse(grant, false);
    });

    app.post('/oauth2/revoke', async (request, reply) => {
      const token =
        text(((request.body ?? {}) as Record<string, unknown>).token) ?? text((request.query as Params).token);
      if (token === undefined || state.revoke(token) === 0) {
        return reply.status(400).send({ error: 'invalid_token', error_description: 'Token expired or revoked' });
      }
      return reply.status(200).send({});
    });
  };
}
