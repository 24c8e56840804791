// Klaviyo partner-app OAuth (providers.md §4.1): PKCE S256 consent on the www host, code exchange, refresh
// and revocation on the API host with HTTP Basic client auth, rotating refresh tokens, and the one account
// a grant reaches.

import { err, ok } from '@adsync/errors';
import { httpJson } from '../http.ts';
import type { CallbackOutcome, OAuthProvider, ProviderResult, TokenSet } from '../provider.ts';
import type { KlaviyoSettings } from '../settings.ts';
import { fetchAccount } from './klaviyo.api.ts';
import { klaviyoOAuthError, schemaError } from './klaviyo.errors.ts';
import { tokenResponse } from './klaviyo.schemas.ts';

/** Without these adsync can read neither the account nor the audiences and catalog it syncs. */
const REQUIRED_SCOPES = ['accounts:read', 'lists:read', 'segments:read', 'profiles:read', 'catalogs:read'];

export function createKlaviyoProvider(settings: KlaviyoSettings): OAuthProvider {
  // As Klaviyo's own SDK builds it: base64 of the raw `id:secret`.
  const basic = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;

  /** One /oauth/token grant; `previous` fills in what a refresh answer may leave out. */
  async function token(form: Record<string, string>, action: string, previous?: TokenSet) {
    const response = await httpJson({
      method: 'POST',
      url: settings.tokenUrl,
      headers: { authorization: basic },
      form,
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return err(klaviyoOAuthError(response.value, action));
    const parsed = tokenResponse.safeParse(response.value.body);
    if (!parsed.success) return err(schemaError(action));
    const answer = parsed.data;
    return ok<TokenSet>({
      accessToken: answer.access_token,
      accessTokenExpiresAt: answer.expires_in === undefined ? null : new Date(Date.now() + answer.expires_in * 1000),
      // Refresh tokens rotate: the one in the answer replaces ours, and the old one stops working.
      refreshToken: answer.refresh_token ?? previous?.refreshToken ?? null,
      // Klaviyo states no refresh-token lifetime (reportedly ~90 days unused; unverified).
      refreshTokenExpiresAt: null,
      scopes: answer.scope === undefined ? (previous?.scopes ?? []) : answer.scope.split(' ').filter(Boolean),
      externalUserId: null,
    });
  }

  return {
    id: 'klaviyo',
    usesPkce: true,
    requiredScopes: REQUIRED_SCOPES,

    authorizationUrl({ state, codeChallenge }) {
      // Klaviyo refuses consent without PKCE, so a missing challenge is a bug in the caller.
      if (codeChallenge === undefined) throw new Error('Klaviyo authorization requires a PKCE code challenge.');
      const url = new URL(settings.authorizeUrl);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: settings.clientId,
        redirect_uri: settings.redirectUri,
        scope: settings.scopes.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },

    readCallback(query): CallbackOutcome {
      if (query.code !== undefined && query.code !== '') return { kind: 'code', code: query.code };
      if (query.error === 'access_denied') return { kind: 'denied', message: 'Access to Klaviyo was declined.' };
      const description = query.error_description ?? query.error ?? 'no authorization code';
      return { kind: 'error', message: `Klaviyo did not authorize adsync: ${description}.` };
    },

    async exchangeCode({ code, codeVerifier }): Promise<ProviderResult<TokenSet>> {
      if (codeVerifier === undefined) {
        return err({
          code: 'invalid_request',
          message: 'Klaviyo requires PKCE: the code verifier is missing.',
          retryable: false,
        });
      }
      return token(
        { grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: settings.redirectUri },
        'exchange the authorization code',
      );
    },

    async refresh(tokens) {
      if (tokens.refreshToken === null) {
        return err({
          code: 'invalid_grant',
          message: 'There is no Klaviyo refresh token to renew access with; reconnect Klaviyo.',
          retryable: false,
        });
      }
      return token(
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        'refresh the access token',
        tokens,
      );
    },

    async listAccounts(tokens) {
      const found = await fetchAccount(settings, { kind: 'oauth', accessToken: tokens.accessToken });
      return found.ok ? ok([found.value.account]) : found;
    },

    async revoke(tokens) {
      // Revoking the refresh token ends the whole grant; the access token is the fallback if we hold none.
      const form =
        tokens.refreshToken === null
          ? { token: tokens.accessToken, token_type_hint: 'access_token' }
          : { token: tokens.refreshToken, token_type_hint: 'refresh_token' };
      const response = await httpJson({
        method: 'POST',
        url: settings.revokeUrl,
        headers: { authorization: basic },
        form,
      });
      if (!response.ok) return response;
      if (response.value.status !== 200) return err(klaviyoOAuthError(response.value, 'revoke access'));
      return ok(true);
    },
  };
}
