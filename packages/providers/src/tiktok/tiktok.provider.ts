// TikTok API for Business (Marketing API v1.3, providers.md §3.1): the advertiser authorization portal, the
// auth_code exchange, refresh with rotating refresh tokens (the rotating app model; long-term apps get a
// token with no expiry and no refresh token), advertiser discovery and revocation.

import { err, ok } from '@adsync/errors';
import { z } from 'zod';
import type { HttpRequest } from '../http.ts';
import type { CallbackOutcome, DiscoveredAccount, OAuthProvider, TokenSet } from '../provider.ts';
import type { TikTokSettings } from '../settings.ts';
import { isTimeZone, withUsableTimeZones } from '../time-zone.ts';
import { callTikTok } from './tiktok.api.ts';
import { advertiserInfo, authorizedAdvertisers, tokenData } from './tiktok.schemas.ts';

/** advertiser/info takes at most 100 ids per call (code 40011 beyond). */
const INFO_BATCH = 100;
const INFO_FIELDS = ['advertiser_id', 'name', 'currency', 'timezone', 'display_timezone'];
/** How a refusal might read when the portal reports one; TikTok documents no denial redirect (§3.1). */
const REFUSAL = /denied|declined|cancel|refus|reject/i;

function inSeconds(seconds: number | undefined): Date | null {
  return seconds === undefined ? null : new Date(Date.now() + seconds * 1000);
}

export function createTikTokProvider(settings: TikTokSettings): OAuthProvider {
  const app = { app_id: settings.appId, secret: settings.secret };

  /** One API call; the app secret is redacted from any message along with the request's own secrets. */
  function call<T>(request: HttpRequest, schema: z.ZodType<T>, action: string, secrets: readonly string[]) {
    return callTikTok(request, schema, action, [settings.secret, ...secrets]);
  }

  /** The exchange and refresh answer as a TokenSet; `previous` fills in what a refresh answer leaves out. */
  async function token(path: string, body: Record<string, string>, action: string, previous?: TokenSet) {
    const answer = await call(
      { method: 'POST', url: `${settings.apiUrl}/oauth2/${path}/`, json: { ...app, ...body } },
      tokenData,
      action,
      Object.values(body),
    );
    if (!answer.ok) return answer;
    const data = answer.value;
    return ok<TokenSet>({
      accessToken: data.access_token,
      // The long-term model answers no lifetime: the token lives until revoked.
      accessTokenExpiresAt: inSeconds(data.access_token_expire_in),
      // Refresh tokens rotate: the one in the answer replaces ours, which stops working at once.
      refreshToken: data.refresh_token ?? previous?.refreshToken ?? null,
      refreshTokenExpiresAt: inSeconds(data.refresh_token_expire_in) ?? previous?.refreshTokenExpiresAt ?? null,
      scopes: data.scope ?? previous?.scopes ?? [],
      // TikTok names the advertisers, not the person who authorized.
      externalUserId: null,
    });
  }

  async function details(ids: readonly string[], accessToken: string) {
    const query = new URLSearchParams({ advertiser_ids: JSON.stringify(ids), fields: JSON.stringify(INFO_FIELDS) });
    return call(
      {
        method: 'GET',
        url: `${settings.apiUrl}/advertiser/info/?${query}`,
        headers: { 'Access-Token': accessToken },
      },
      advertiserInfo,
      'describe advertisers',
      [accessToken],
    );
  }

  return {
    id: 'tiktok',
    usesPkce: false,
    // TikTok grants the permissions configured on the app as numeric ids whose meaning is undocumented
    // (providers.md §7), and the advertiser cannot narrow them: there is nothing meaningful to require.
    requiredScopes: [],

    authorizationUrl({ state }) {
      const url = new URL(settings.authorizeUrl);
      url.search = new URLSearchParams({
        app_id: settings.appId,
        state,
        redirect_uri: settings.redirectUri,
      }).toString();
      return url.toString();
    },

    readCallback(query): CallbackOutcome {
      const code = query.auth_code || query.code;
      if (code !== undefined && code !== '') return { kind: 'code', code };
      const description = query.error_description ?? query.error ?? 'no authorization code';
      if (query.error === 'access_denied' || REFUSAL.test(description)) {
        return { kind: 'denied', message: 'Access to TikTok was declined.' };
      }
      return { kind: 'error', message: `TikTok did not authorize adsync: ${description}.` };
    },

    exchangeCode({ code }) {
      return token('access_token', { auth_code: code }, 'exchange the authorization code');
    },

    async refresh(tokens) {
      if (tokens.refreshToken === null) {
        return err({
          code: 'invalid_grant',
          message: 'There is no TikTok refresh token to renew access with; reconnect TikTok.',
          retryable: false,
        });
      }
      return token(
        'refresh_token',
        { refresh_token: tokens.refreshToken, grant_type: 'refresh_token' },
        'refresh the access token',
        tokens,
      );
    },

    async listAccounts(tokens) {
      const authorized = await call(
        {
          method: 'GET',
          url: `${settings.apiUrl}/oauth2/advertiser/get/?${new URLSearchParams(app)}`,
          headers: { 'Access-Token': tokens.accessToken },
        },
        authorizedAdvertisers,
        'list the authorized advertisers',
        [tokens.accessToken],
      );
      if (!authorized.ok) return authorized;
      const ids = authorized.value.list.map((advertiser) => advertiser.advertiser_id);
      const accounts: DiscoveredAccount[] = [];
      for (let start = 0; start < ids.length; start += INFO_BATCH) {
        const info = await details(ids.slice(start, start + INFO_BATCH), tokens.accessToken);
        if (!info.ok) return info;
        for (const advertiser of info.value.list) {
          // `display_timezone` is the named zone; `timezone` may be a fixed offset like Etc/GMT+8. With neither
          // usable, the reported one is kept so that the check below refuses it by name.
          const reported = [advertiser.display_timezone, advertiser.timezone].filter((zone) => zone !== undefined);
          const timezone = reported.find(isTimeZone) ?? reported[0] ?? '';
          const fallbackName = authorized.value.list.find((entry) => entry.advertiser_id === advertiser.advertiser_id);
          accounts.push({
            externalId: advertiser.advertiser_id,
            name: advertiser.name ?? fallbackName?.advertiser_name ?? advertiser.advertiser_id,
            currency: advertiser.currency,
            timezone,
            managerExternalId: null,
          });
        }
      }
      return withUsableTimeZones('TikTok', accounts);
    },

    async revoke(tokens) {
      const revoked = await call(
        {
          method: 'POST',
          url: `${settings.apiUrl}/oauth2/revoke_token/`,
          json: { ...app, access_token: tokens.accessToken },
        },
        z.unknown(),
        'revoke access',
        [tokens.accessToken],
      );
      return revoked.ok ? ok(true) : revoked;
    },
  };
}
