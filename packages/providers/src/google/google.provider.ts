// Google Ads: the OAuth 2.0 web-server flow with PKCE and offline access (a refresh token that Google does
// not rotate), account discovery through listAccessibleCustomers and the customer_client tree under each
// customer, and revocation (providers.md §2).

import { err, ok } from '@adsync/errors';
import { httpJson } from '../http.ts';
import { type PagingOptions, refusedPage } from '../paging.ts';
import type {
  CallbackOutcome,
  DiscoveredAccount,
  OAuthProvider,
  ProviderError,
  ProviderResult,
  TokenSet,
} from '../provider.ts';
import type { GoogleSettings } from '../settings.ts';
import { withUsableTimeZones } from '../time-zone.ts';
import { googleAdsError, googleOAuthError, schemaError } from './google.errors.ts';
import { accessibleCustomers, customerClientPage, type TokenResponse, tokenResponse } from './google.schemas.ts';

/** Without it adsync can read no spend. */
const REQUIRED_SCOPES = ['https://www.googleapis.com/auth/adwords'];
/**
 * Search pages are 10,000 rows (providers.md §2.3): 500,000 accounts under one customer, far past the largest
 * manager hierarchies (tens of thousands of accounts); a loop of page tokens ends here.
 */
const MAX_SEARCH_PAGES = 50;
/** Every account in the hierarchy under (and including) the queried customer. */
const CUSTOMER_CLIENTS =
  'SELECT customer_client.id, customer_client.descriptive_name, customer_client.currency_code, ' +
  'customer_client.time_zone, customer_client.manager, customer_client.level FROM customer_client';

function reconnect(message: string, platformCode: string): ProviderError {
  return { code: 'invalid_grant', message, retryable: false, platformCode };
}

/** Credentials from a token answer; what a refresh answer leaves out is carried over from `previous`. */
function tokenSet(answer: TokenResponse, previous?: TokenSet): TokenSet {
  const now = Date.now();
  return {
    accessToken: answer.access_token,
    accessTokenExpiresAt: answer.expires_in === undefined ? null : new Date(now + answer.expires_in * 1000),
    refreshToken: answer.refresh_token ?? previous?.refreshToken ?? null,
    refreshTokenExpiresAt:
      answer.refresh_token_expires_in === undefined
        ? (previous?.refreshTokenExpiresAt ?? null)
        : new Date(now + answer.refresh_token_expires_in * 1000),
    scopes: answer.scope === undefined ? (previous?.scopes ?? []) : answer.scope.split(' ').filter(Boolean),
    externalUserId: previous?.externalUserId ?? null,
  };
}

export function createGoogleProvider(settings: GoogleSettings, paging: PagingOptions = {}): OAuthProvider {
  const maxPages = paging.maxPages ?? MAX_SEARCH_PAGES;

  async function token(form: Record<string, string>, action: string): Promise<ProviderResult<TokenResponse>> {
    const response = await httpJson({
      method: 'POST',
      url: settings.tokenUrl,
      form: { client_id: settings.clientId, client_secret: settings.clientSecret, ...form },
    });
    if (!response.ok) return response;
    if (response.value.status !== 200) return err(googleOAuthError(response.value, action));
    const parsed = tokenResponse.safeParse(response.value.body);
    return parsed.success ? ok(parsed.data) : err(schemaError(action));
  }

  function adsHeaders(tokens: TokenSet, loginCustomerId?: string): Record<string, string> {
    return {
      authorization: `Bearer ${tokens.accessToken}`,
      // Ignored since the 2026-09 developer-token sunset, still required by older API versions.
      ...(settings.developerToken === '' ? {} : { 'developer-token': settings.developerToken }),
      ...(loginCustomerId === undefined ? {} : { 'login-customer-id': loginCustomerId }),
    };
  }

  /** The non-manager accounts in a customer's hierarchy, reached with it as login-customer-id. */
  async function clientsOf(tokens: TokenSet, customerId: string): Promise<ProviderResult<DiscoveredAccount[]>> {
    const accounts: DiscoveredAccount[] = [];
    const pages = { platform: 'Google Ads' as const, of: `the accounts under customer ${customerId}`, maxPages };
    let pageToken: string | undefined;
    for (let page = 1; ; page += 1) {
      const refused = refusedPage(pages, { number: page });
      if (refused !== undefined) return err(refused);
      const response = await httpJson({
        method: 'POST',
        url: `${settings.adsApiUrl}/customers/${customerId}/googleAds:search`,
        headers: adsHeaders(tokens, customerId),
        json: { query: CUSTOMER_CLIENTS, ...(pageToken === undefined ? {} : { pageToken }) },
      });
      if (!response.ok) return response;
      if (response.value.status !== 200) {
        return err(googleAdsError(response.value, `list the accounts under customer ${customerId}`));
      }
      const parsed = customerClientPage.safeParse(response.value.body);
      if (!parsed.success) return err(schemaError('the customer_client search'));
      for (const { customerClient: client } of parsed.data.results) {
        // Managers hold no spend of their own.
        if (client.manager) continue;
        accounts.push({
          externalId: client.id,
          name: client.descriptiveName ?? client.id,
          currency: client.currencyCode,
          timezone: client.timeZone,
          managerExternalId: client.level === '0' ? null : customerId,
        });
      }
      pageToken = parsed.data.nextPageToken;
      if (pageToken === undefined || pageToken === '') break;
    }
    return ok(accounts);
  }

  return {
    id: 'google',
    usesPkce: true,
    requiredScopes: REQUIRED_SCOPES,

    authorizationUrl({ state, codeChallenge }) {
      const url = new URL(settings.authorizeUrl);
      url.search = new URLSearchParams({
        client_id: settings.clientId,
        redirect_uri: settings.redirectUri,
        response_type: 'code',
        scope: settings.scopes.join(' '),
        // offline + consent: Google issues a refresh token on every consent, not only the first.
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: 'true',
        state,
        ...(codeChallenge === undefined ? {} : { code_challenge: codeChallenge, code_challenge_method: 'S256' }),
      }).toString();
      return url.toString();
    },

    readCallback(query): CallbackOutcome {
      if (query.code !== undefined && query.code !== '') return { kind: 'code', code: query.code };
      if (query.error === 'access_denied') return { kind: 'denied', message: 'Access to Google Ads was declined.' };
      const description = query.error_description ?? query.error ?? 'no authorization code';
      return { kind: 'error', message: `Google did not authorize adsync: ${description}.` };
    },

    async exchangeCode({ code, codeVerifier }) {
      const answer = await token(
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: settings.redirectUri,
          ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }),
        },
        'exchange the authorization code',
      );
      if (!answer.ok) return answer;
      // Without one adsync loses access within the hour; a new consent (prompt=consent) issues one.
      if (answer.value.refresh_token === undefined) {
        return err(
          reconnect(
            'Google granted access without a refresh token, so adsync could not keep syncing. Reconnect Google Ads.',
            'no_refresh_token',
          ),
        );
      }
      return ok(tokenSet(answer.value));
    },

    async refresh(tokens) {
      if (tokens.refreshToken === null) {
        return err(reconnect('There is no Google refresh token to use. Reconnect Google Ads.', 'no_refresh_token'));
      }
      const answer = await token(
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        'refresh the access token',
      );
      return answer.ok ? ok(tokenSet(answer.value, tokens)) : answer;
    },

    async listAccounts(tokens) {
      const response = await httpJson({
        method: 'GET',
        url: `${settings.adsApiUrl}/customers:listAccessibleCustomers`,
        headers: adsHeaders(tokens),
      });
      if (!response.ok) return response;
      if (response.value.status !== 200) return err(googleAdsError(response.value, 'list accessible customers'));
      const parsed = accessibleCustomers.safeParse(response.value.body);
      if (!parsed.success) return err(schemaError('listAccessibleCustomers'));
      const found = new Map<string, DiscoveredAccount>();
      for (const resourceName of parsed.data.resourceNames) {
        const clients = await clientsOf(tokens, resourceName.slice('customers/'.length));
        if (!clients.ok) {
          // listAccessibleCustomers also names cancelled and not-yet-enabled customers, which nothing can read.
          if (clients.error.platformCode === 'authorizationError.CUSTOMER_NOT_ENABLED') continue;
          return clients;
        }
        for (const account of clients.value) {
          // An account reached both directly and through a manager: direct access needs no login-customer-id.
          if (!found.has(account.externalId) || account.managerExternalId === null) {
            found.set(account.externalId, account);
          }
        }
      }
      return withUsableTimeZones('Google Ads', [...found.values()]);
    },

    async revoke(tokens) {
      // Revoking the refresh token also kills every access token issued from it.
      const response = await httpJson({
        method: 'POST',
        url: settings.revokeUrl,
        form: { token: tokens.refreshToken ?? tokens.accessToken },
      });
      if (!response.ok) return response;
      if (response.value.status !== 200) return err(googleOAuthError(response.value, 'revoke access'));
      return ok(true);
    },
  };
}
