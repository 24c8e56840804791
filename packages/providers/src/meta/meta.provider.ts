// Meta (Facebook Login + Graph): the dialog URL, the code → short-lived → long-lived exchange with
// debug_token for the granted scopes and expiry, ad account discovery, and revocation. Meta has no
// refresh tokens: "refresh" re-exchanges a still-valid long-lived token, which extends it.

import { err, ok } from '@adsync/errors';
import { httpJson } from '../http.ts';
import { type PagingOptions, refusedPage } from '../paging.ts';
import type { CallbackOutcome, DiscoveredAccount, OAuthProvider, ProviderResult, TokenSet } from '../provider.ts';
import type { MetaSettings } from '../settings.ts';
import { withUsableTimeZones } from '../time-zone.ts';
import { metaError } from './meta.errors.ts';
import { adAccountsPage, debugTokenResponse, tokenResponse } from './meta.schemas.ts';

/** Without these adsync can neither read spend nor send conversions. */
const REQUIRED_SCOPES = ['ads_read', 'ads_management'];
/**
 * Pages of 100: 20,000 ad accounts, far past the few thousand even a large agency's people reach (Meta grows a
 * business's ad account limit with its spend); a loop of `next` links ends here.
 */
const MAX_ACCOUNT_PAGES = 200;

function schemaError(action: string) {
  return { code: 'unavailable' as const, message: `Meta answered ${action} in an unexpected shape.`, retryable: true };
}

export function createMetaProvider(settings: MetaSettings, paging: PagingOptions = {}): OAuthProvider {
  const accountPages = {
    platform: 'Meta' as const,
    of: 'ad accounts',
    maxPages: paging.maxPages ?? MAX_ACCOUNT_PAGES,
    origin: new URL(settings.graphUrl).origin,
  };
  const graph = (path: string, query: Record<string, string>) =>
    `${settings.graphUrl}/${path}?${new URLSearchParams(query)}`;

  /** access_token exchange of either grant; answers the token and its lifetime. */
  async function accessToken(query: Record<string, string>, action: string) {
    const response = await httpJson({
      method: 'GET',
      url: graph('oauth/access_token', { client_id: settings.appId, client_secret: settings.appSecret, ...query }),
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return err(metaError(response.value, action));
    const parsed = tokenResponse.safeParse(response.value.body);
    return parsed.success ? ok(parsed.data) : err(schemaError(action));
  }

  /** debug_token for a user token, asked with the app token; an invalid token is `invalid_grant`. */
  async function debugToken(accessToken: string) {
    const response = await httpJson({
      method: 'GET',
      url: graph('debug_token', { input_token: accessToken, access_token: `${settings.appId}|${settings.appSecret}` }),
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return err(metaError(response.value, 'describe the access token'));
    const parsed = debugTokenResponse.safeParse(response.value.body);
    if (!parsed.success) return err(schemaError('debug_token'));
    const { data } = parsed.data;
    if (!data.is_valid) {
      const reason = data.error?.message ?? 'the access token is no longer valid';
      return err({
        code: 'invalid_grant' as const,
        message: `Meta says ${reason.replace(/\.$/, '')}. Reconnect Meta.`,
        retryable: false,
        platformCode: data.error === undefined ? 'invalid' : `${data.error.code ?? 190}/${data.error.subcode ?? ''}`,
      });
    }
    return ok({
      expiresAt: data.expires_at !== undefined && data.expires_at > 0 ? new Date(data.expires_at * 1000) : undefined,
      scopes: data.scopes,
      userId: data.user_id ?? null,
    });
  }

  /** The long-lived token, with scopes, expiry and user from debug_token. */
  async function longLived(shortToken: string): Promise<ProviderResult<TokenSet>> {
    const exchanged = await accessToken(
      { grant_type: 'fb_exchange_token', fb_exchange_token: shortToken },
      'extend the access token',
    );
    if (!exchanged.ok) return exchanged;
    const described = await debugToken(exchanged.value.access_token);
    if (!described.ok) return described;
    const expiresAt =
      described.value.expiresAt ??
      (exchanged.value.expires_in === undefined ? null : new Date(Date.now() + exchanged.value.expires_in * 1000));
    return ok({
      accessToken: exchanged.value.access_token,
      accessTokenExpiresAt: expiresAt,
      refreshToken: null,
      refreshTokenExpiresAt: null,
      scopes: described.value.scopes,
      externalUserId: described.value.userId,
    });
  }

  return {
    id: 'meta',
    usesPkce: false,
    requiredScopes: REQUIRED_SCOPES,

    authorizationUrl({ state }) {
      const url = new URL(settings.authorizeUrl);
      url.search = new URLSearchParams({
        client_id: settings.appId,
        redirect_uri: settings.redirectUri,
        state,
        scope: settings.scopes.join(','),
        response_type: 'code',
      }).toString();
      return url.toString();
    },

    readCallback(query): CallbackOutcome {
      if (query.code !== undefined && query.code !== '') return { kind: 'code', code: query.code };
      if (query.error_reason === 'user_denied' || query.error === 'access_denied') {
        return { kind: 'denied', message: 'Access to Meta was declined.' };
      }
      const description = query.error_description ?? query.error ?? 'no authorization code';
      return { kind: 'error', message: `Meta did not authorize adsync: ${description}.` };
    },

    async exchangeCode({ code }) {
      const short = await accessToken({ redirect_uri: settings.redirectUri, code }, 'exchange the authorization code');
      if (!short.ok) return short;
      return longLived(short.value.access_token);
    },

    refresh(tokens) {
      return longLived(tokens.accessToken);
    },

    async inspect(tokens) {
      const described = await debugToken(tokens.accessToken);
      if (!described.ok) return described;
      return ok({ accessTokenExpiresAt: described.value.expiresAt ?? null, scopes: described.value.scopes });
    },

    async listAccounts(tokens) {
      const accounts: DiscoveredAccount[] = [];
      // The token goes in a header, so neither our URL nor the `next` links Graph builds from it carry it.
      let url: string | undefined = graph('me/adaccounts', {
        fields: 'account_id,id,name,currency,timezone_name',
        limit: '100',
      });
      for (let page = 1; url !== undefined; page += 1) {
        const refused = refusedPage(accountPages, { number: page, url });
        if (refused !== undefined) return err(refused);
        const response = await httpJson({
          method: 'GET',
          url,
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        });
        if (!response.ok) return response;
        if (response.value.status !== 200) return err(metaError(response.value, 'list ad accounts'));
        const parsed = adAccountsPage.safeParse(response.value.body);
        if (!parsed.success) return err(schemaError('/me/adaccounts'));
        for (const account of parsed.data.data) {
          accounts.push({
            externalId: account.id,
            name: account.name,
            currency: account.currency,
            timezone: account.timezone_name,
            managerExternalId: null,
          });
        }
        url = parsed.data.paging?.next;
      }
      return withUsableTimeZones('Meta', accounts);
    },

    async revoke(tokens) {
      const response = await httpJson({
        method: 'DELETE',
        url: graph('me/permissions', { access_token: tokens.accessToken }),
      });
      if (!response.ok) return response;
      if (response.value.status !== 200) return err(metaError(response.value, 'revoke access'));
      return ok(true);
    },
  };
}
