// Settings that point every platform client at the simulator with its seed apps (apps/simulator/src/seed):
// the local defaults of `./adsync start` and what tests use. The credentials are public test values.

import type { ProviderSettings } from './settings.ts';

export const KLAVIYO_REVISION = '2025-10-15';

/** `simulatorUrl` e.g. http://127.0.0.1:4010; `callbackBase` is where /oauth/{provider}/callback lives. */
export function simulatorProviderSettings(simulatorUrl: string, callbackBase: string): ProviderSettings {
  const callback = (provider: string) => `${callbackBase}/oauth/${provider}/callback`;
  return {
    meta: {
      appId: '1234567890123456',
      appSecret: 'sim-meta-app-secret',
      redirectUri: callback('meta'),
      scopes: META_SCOPES,
      authorizeUrl: `${simulatorUrl}/meta/www/v25.0/dialog/oauth`,
      graphUrl: `${simulatorUrl}/meta/graph/v25.0`,
    },
    google: {
      clientId: '123456789012-adsyncsim.apps.googleusercontent.com',
      clientSecret: 'sim-google-client-secret',
      redirectUri: callback('google'),
      scopes: GOOGLE_SCOPES,
      developerToken: 'sim-developer-token',
      authorizeUrl: `${simulatorUrl}/google/accounts/o/oauth2/v2/auth`,
      tokenUrl: `${simulatorUrl}/google/oauth2/token`,
      revokeUrl: `${simulatorUrl}/google/oauth2/revoke`,
      adsApiUrl: `${simulatorUrl}/google/ads/v23`,
    },
    tiktok: {
      appId: '7100000000000000001',
      secret: 'sim-tiktok-secret-rotating',
      redirectUri: callback('tiktok'),
      authorizeUrl: `${simulatorUrl}/tiktok/portal/auth`,
      apiUrl: `${simulatorUrl}/tiktok/open_api/v1.3`,
    },
    klaviyo: {
      clientId: 'sim-klaviyo-client-id',
      clientSecret: 'sim-klaviyo-client-secret',
      redirectUri: callback('klaviyo'),
      scopes: KLAVIYO_SCOPES,
      authorizeUrl: `${simulatorUrl}/klaviyo/www/oauth/authorize`,
      tokenUrl: `${simulatorUrl}/klaviyo/a/oauth/token`,
      revokeUrl: `${simulatorUrl}/klaviyo/a/oauth/revoke`,
      apiUrl: `${simulatorUrl}/klaviyo/a/api`,
      revision: KLAVIYO_REVISION,
    },
  };
}

/**
 * Meta permissions adsync asks for, and why (README "Platform permissions" repeats this):
 * ads_read — read ad accounts and Insights (spend); ads_management — send Conversions API events and
 * manage the pixel/dataset; business_management — ad accounts owned by a Business Manager; pages_show_list,
 * pages_read_engagement — required companions of ads_management for Page-backed ads; pages_manage_ads —
 * Page ads; catalog_management — product catalogs for product mappings.
 */
export const META_SCOPES = [
  'ads_read',
  'ads_management',
  'business_management',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_ads',
  'catalog_management',
] as const;

export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/adwords'] as const;

/** Read lists, segments, profiles and catalogs; write subscriptions and catalog items for product mappings. */
export const KLAVIYO_SCOPES = [
  'accounts:read',
  'lists:read',
  'lists:write',
  'segments:read',
  'profiles:read',
  'profiles:write',
  'subscriptions:write',
  'catalogs:read',
  'catalogs:write',
] as const;
