// Klaviyo OAuth for partner apps: the consent page on the www host (PKCE S256 mandatory), and the token and
// revoke endpoints on the API host, with refresh tokens that rotate on every use.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { grantedAccounts, renderConsentPage } from '../core/consent-page.ts';
import type { SimulatorContext } from '../core/platform.ts';
import { opaqueToken } from '../core/tokens.ts';
import { KLAVIYO_ACCOUNT } from '../seed/accounts.ts';
import { KLAVIYO_APP } from '../seed/apps.ts';
import type { SimulatorOptions } from '../simulator-options.ts';
import type { Grant, KlaviyoState } from './klaviyo.state.ts';

const RESOURCES = [
  'campaigns',
  'catalogs',
  'coupons',
  'data-privacy',
  'events',
  'flows',
  'images',
  'lists',
  'metrics',
  'profiles',
  'push-tokens',
  'segments',
  'subscriptions',
  'tags',
  'templates',
  'webhooks',
];
export const KLAVIYO_SCOPES: readonly string[] = [
  'accounts:read',
  ...RESOURCES.flatMap((resource) => [`${resource}:read`, `${resource}:write`]),
];

/** Authorization codes are single-use; their lifetime is undocumented, 10 minutes is the common choice. */
const CODE_LIFETIME_MS = 10 * 60_000;

type Params = Record<string, string | undefined>;

function sha256Base64Url(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function errorPage(reply: FastifyReply, status: number, message: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><title>Klaviyo — authorization error</title><h1>Authorization error</h1><p>${message}</p>`);
}

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>) {
  const target = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) target.searchParams.set(name, value);
  return reply.redirect(target.toString(), 302);
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.status(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** The client authenticated with `Authorization: Basic base64(client_id:client_secret)`, or undefined. */
function basicClient(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator === -1) return undefined;
  const clientId = decodeURIComponent(decoded.slice(0, separator));
  const secret = decodeURIComponent(decoded.slice(separator + 1));
  return clientId === KLAVIYO_APP.clientId && sameSecret(secret, KLAVIYO_APP.clientSecret) ? clientId : undefined;
}

export function oauthRoutes(state: KlaviyoState, context: SimulatorContext, options: SimulatorOptions['klaviyo']) {
  const now = () => context.clock.now();
  const { accessTokenSeconds, refreshTokenSeconds } = options;

  function issueTokens(grant: Grant) {
    const accessToken = opaqueToken('kla_at_');
    state.accessTokens.set(accessToken, { grantId: grant.id, expiresAt: now() + accessTokenSeconds * 1000 });
    if (grant.refreshToken !== '') grant.supersededAt.set(grant.refreshToken, now());
    grant.refreshToken = opaqueToken('kla_rt_');
    grant.refreshExpiresAt = now() + refreshTokenSeconds * 1000;
    grant.issuedRefreshTokens.push(grant.refreshToken);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: accessTokenSeconds,
      refresh_token: grant.refreshToken,
      scope: grant.scopes.join(' '),
    };
  }

  /**
   * Checks an authorization request. Problems with the client or redirect URI get an error page (the
   * redirect target cannot be trusted); everything else goes back to the redirect URI as `error=…`.
   */
  function checkRequest(params: Params, reply: FastifyReply): { redirectUri: string; scopes: string[] } | undefined {
    if (params.client_id !== KLAVIYO_APP.clientId) {
      errorPage(reply, 400, 'Unknown client_id.');
      return undefined;
    }
    const redirectUri = params.redirect_uri ?? '';
    if (!/^https?:\/\/[^\s]+$/.test(redirectUri) || !URL.canParse(redirectUri)) {
      errorPage(reply, 400, 'redirect_uri must be an absolute http(s) URL.');
      return undefined;
    }
    const fail = (error: string, description: string) => {
      redirectWith(reply, redirectUri, { error, error_description: description, state: params.state });
      return undefined;
    };
    if (params.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code.');
    if (params.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43,128}$/.test(params.code_challenge ?? '')) {
      return fail('invalid_request', 'PKCE is required: code_challenge_method=S256 and a code_challenge.');
    }
    const scopes = (params.scope ?? '').split(' ').filter((scope) => scope !== '');
    if (scopes.length === 0) return fail('invalid_scope', 'scope is required.');
    const unknown = scopes.filter((scope) => !KLAVIYO_SCOPES.includes(scope));
    if (unknown.length > 0) return fail('invalid_scope', `Unknown scopes: ${unknown.join(' ')}.`);
    return { redirectUri, scopes };
  }

  return async (app: FastifyInstance) => {
    app.get('/www/oauth/authorize', async (request, reply) => {
      const params = request.query as Params;
      const checked = checkRequest(params, reply);
      if (checked === undefined) return reply;
      const hidden: Record<string, string> = {};
      for (const name of ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge_method']) {
        const value = params[name];
        if (value !== undefined) hidden[name] = value;
      }
      hidden.code_challenge = params.code_challenge ?? '';
      return reply.type('text/html; charset=utf-8').send(
        renderConsentPage({
          platformName: 'Klaviyo',
          appName: KLAVIYO_APP.name,
          scopes: checked.scopes,
          accounts: [
            {
              id: KLAVIYO_ACCOUNT.id,
              name: KLAVIYO_ACCOUNT.organizationName,
              detail: `${KLAVIYO_ACCOUNT.preferredCurrency} · ${KLAVIYO_ACCOUNT.timezone}`,
            },
          ],
          action: (request.url.split('?')[0] ?? '').toString(),
          hidden,
        }),
      );
    });

    app.post('/www/oauth/authorize', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const params: Params = {};
      for (const [name, value] of Object.entries(body)) if (typeof value === 'string') params[name] = value;
      const checked = checkRequest(params, reply);
      if (checked === undefined) return reply;
      const accounts = grantedAccounts(body).filter((id) => id === KLAVIYO_ACCOUNT.id);
      if (params.decision !== 'approve' || accounts.length === 0) {
        return redirectWith(reply, checked.redirectUri, {
          error: 'access_denied',
          error_description: 'The user denied the authorization request.',
          state: params.state,
        });
      }
      const code = opaqueToken('kla_code_', 24);
      state.codes.set(code, {
        code,
        clientId: KLAVIYO_APP.clientId,
        redirectUri: checked.redirectUri,
        scopes: checked.scopes,
        codeChallenge: params.code_challenge ?? '',
        accountId: KLAVIYO_ACCOUNT.id,
        expiresAt: now() + CODE_LIFETIME_MS,
        used: false,
        grantId: null,
      });
      return redirectWith(reply, checked.redirectUri, { code, state: params.state });
    });

    // Since 2025-03-31 Klaviyo refuses token and revoke traffic on www.klaviyo.com. How exactly is
    // unverified; the simulator answers 403 with an OAuth-style error naming the right host, so a client
    // pointed at the wrong host fails at once instead of appearing to work.
    const blocked = async (_request: FastifyRequest, reply: FastifyReply) =>
      oauthError(reply, 403, 'invalid_request', 'Token and revoke requests must be sent to https://a.klaviyo.com.');
    app.post('/www/oauth/token', blocked);
    app.post('/www/oauth/revoke', blocked);

    app.post('/a/oauth/token', async (request, reply) => {
      if (basicClient(request) === undefined) {
        reply.header('www-authenticate', 'Basic realm="klaviyo"');
        return oauthError(reply, 401, 'invalid_client', 'Client authentication failed (HTTP Basic required).');
      }
      const body = (request.body ?? {}) as Params;
      if (body.grant_type === 'authorization_code') {
        const code = state.codes.get(body.code ?? '');
        if (code === undefined || code.expiresAt <= now()) {
          return oauthError(reply, 400, 'invalid_grant', 'The authorization code is invalid or expired.');
        }
        if (code.used) {
          // A replayed code revokes what it produced (RFC 6749 §4.1.2).
          const grant = code.grantId === null ? undefined : state.grants.get(code.grantId);
          if (grant !== undefined) grant.revoked = true;
          return oauthError(reply, 400, 'invalid_grant', 'The authorization code was already used.');
        }
        if (body.redirect_uri !== code.redirectUri) {
          return oauthError(reply, 400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
        }
        if (body.code_verifier === undefined || body.code_verifier === '') {
          return oauthError(reply, 400, 'invalid_request', 'code_verifier is required.');
        }
        if (sha256Base64Url(body.code_verifier) !== code.codeChallenge) {
          return oauthError(reply, 400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
        }
        code.used = true;
        const grant: Grant = {
          id: opaqueToken('grant_', 9),
          clientId: code.clientId,
          accountId: code.accountId,
          scopes: code.scopes,
          refreshToken: '',
          refreshExpiresAt: 0,
          issuedRefreshTokens: [],
          supersededAt: new Map(),
          revoked: false,
        };
        state.grants.set(grant.id, grant);
        code.grantId = grant.id;
        return reply.header('cache-control', 'no-store').send(issueTokens(grant));
      }
      if (body.grant_type === 'refresh_token') {
        const token = body.refresh_token ?? '';
        const grant = [...state.grants.values()].find((candidate) => candidate.refreshToken === token);
        // A superseded refresh token matches no grant's current one: rotation makes it invalid at once.
        if (token === '' || grant === undefined || grant.revoked || grant.refreshExpiresAt <= now()) {
          return oauthError(reply, 400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
        }
        return reply.header('cache-control', 'no-store').send(issueTokens(grant));
      }
      return oauthError(
        reply,
        400,
        'unsupported_grant_type',
        'grant_type must be authorization_code or refresh_token.',
      );
    });

    app.post('/a/oauth/revoke', async (request, reply) => {
      if (basicClient(request) === undefined) {
        reply.header('www-authenticate', 'Basic realm="klaviyo"');
        return oauthError(reply, 401, 'invalid_client', 'Client authentication failed (HTTP Basic required).');
      }
      const token = ((request.body ?? {}) as Params).token ?? '';
      if (token === '') return oauthError(reply, 400, 'invalid_request', 'token is required.');
      // RFC 7009: an unknown token is not an error; the answer is 200 either way.
      const grantId =
        [...state.grants.values()].find((grant) => grant.issuedRefreshTokens.includes(token))?.id ??
        state.accessTokens.get(token)?.grantId;
      const grant = grantId === undefined ? undefined : state.grants.get(grantId);
      if (grant !== undefined) grant.revoked = true;
      return reply.status(200).send({});
    });
  };
}
