// Each platform's app credentials, redirect URI, scopes and base URLs. Locally everything defaults to the
// simulator and its seed apps; with PROVIDERS_TARGET=platforms the URLs default to the real platforms and
// only the credentials must be set. A platform without credentials is "not configured" and refuses to connect.

import { KLAVIYO_REVISION, type ProviderId, type ProviderSettings, simulatorProviderSettings } from '@adsync/providers';
import { z } from 'zod';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const optionalUrl = optionalText.refine(
  (value) => {
    if (value === undefined) return true;
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  { message: 'must be an http(s) URL' },
);

const optionalList = optionalText.transform((value) =>
  value === undefined
    ? undefined
    : value
        .split(/[\s,]+/)
        .map((item) => item.trim())
        .filter(Boolean),
);

export const providerFields = {
  /** `simulator`: every platform is the local simulator (the default outside production). */
  PROVIDERS_TARGET: z.enum(['simulator', 'platforms']).optional(),
  SIMULATOR_URL: z.string().url().default('http://127.0.0.1:4010'),
  META_APP_ID: optionalText,
  META_APP_SECRET: optionalText,
  META_SCOPES: optionalList,
  META_REDIRECT_URI: optionalUrl,
  META_AUTHORIZE_URL: optionalUrl,
  META_GRAPH_URL: optionalUrl,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  GOOGLE_DEVELOPER_TOKEN: optionalText,
  GOOGLE_REDIRECT_URI: optionalUrl,
  GOOGLE_AUTHORIZE_URL: optionalUrl,
  GOOGLE_TOKEN_URL: optionalUrl,
  GOOGLE_REVOKE_URL: optionalUrl,
  GOOGLE_ADS_API_URL: optionalUrl,
  TIKTOK_APP_ID: optionalText,
  TIKTOK_APP_SECRET: optionalText,
  TIKTOK_REDIRECT_URI: optionalUrl,
  TIKTOK_AUTHORIZE_URL: optionalUrl,
  TIKTOK_API_URL: optionalUrl,
  KLAVIYO_CLIENT_ID: optionalText,
  KLAVIYO_CLIENT_SECRET: optionalText,
  KLAVIYO_SCOPES: optionalList,
  KLAVIYO_REDIRECT_URI: optionalUrl,
  KLAVIYO_AUTHORIZE_URL: optionalUrl,
  KLAVIYO_TOKEN_URL: optionalUrl,
  KLAVIYO_REVOKE_URL: optionalUrl,
  KLAVIYO_API_URL: optionalUrl,
  KLAVIYO_REVISION: optionalText,
};

const providerFieldsSchema = z.object(providerFields);
type ProviderFieldValues = z.output<typeof providerFieldsSchema> & {
  NODE_ENV: string;
  PUBLIC_BASE_URL: string;
};

/** The real platforms' endpoints (providers.md), with empty credentials to be filled from the environment. */
function platformSettings(publicBaseUrl: string): ProviderSettings {
  const local = simulatorProviderSettings('http://unused', publicBaseUrl);
  return {
    meta: {
      ...local.meta,
      appId: '',
      appSecret: '',
      authorizeUrl: 'https://www.facebook.com/v25.0/dialog/oauth',
      graphUrl: 'https://graph.facebook.com/v25.0',
    },
    google: {
      ...local.google,
      clientId: '',
      clientSecret: '',
      developerToken: '',
      authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      adsApiUrl: 'https://googleads.googleapis.com/v23',
    },
    tiktok: {
      ...local.tiktok,
      appId: '',
      secret: '',
      authorizeUrl: 'https://business-api.tiktok.com/portal/auth',
      apiUrl: 'https://business-api.tiktok.com/open_api/v1.3',
    },
    klaviyo: {
      ...local.klaviyo,
      clientId: '',
      clientSecret: '',
      authorizeUrl: 'https://www.klaviyo.com/oauth/authorize',
      tokenUrl: 'https://a.klaviyo.com/oauth/token',
      revokeUrl: 'https://a.klaviyo.com/oauth/revoke',
      apiUrl: 'https://a.klaviyo.com/api',
      revision: KLAVIYO_REVISION,
    },
  };
}

/** The overrides that are set: an unset variable keeps the default. */
function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

export interface ResolvedProviders {
  target: 'simulator' | 'platforms';
  settings: ProviderSettings;
  /** Platforms whose app credentials are set; the others refuse to connect. */
  configured: readonly ProviderId[];
}

/**
 * Where the platforms are: PROVIDERS_TARGET when set, else the real APIs in production and the simulator
 * elsewhere (a public PUBLIC_BASE_URL refuses that default too: dev-defaults-guard.ts).
 */
export function providersTargetOf(config: {
  NODE_ENV: string;
  PROVIDERS_TARGET?: 'simulator' | 'platforms' | undefined;
}): 'simulator' | 'platforms' {
  return config.PROVIDERS_TARGET ?? (config.NODE_ENV === 'production' ? 'platforms' : 'simulator');
}

export function resolveProviders(config: ProviderFieldValues): ResolvedProviders {
  const target = providersTargetOf(config);
  const base =
    target === 'simulator'
      ? simulatorProviderSettings(config.SIMULATOR_URL.replace(/\/$/, ''), config.PUBLIC_BASE_URL.replace(/\/$/, ''))
      : platformSettings(config.PUBLIC_BASE_URL.replace(/\/$/, ''));
  const settings: ProviderSettings = {
    meta: {
      ...base.meta,
      ...defined({
        appId: config.META_APP_ID,
        appSecret: config.META_APP_SECRET,
        scopes: config.META_SCOPES,
        redirectUri: config.META_REDIRECT_URI,
        authorizeUrl: config.META_AUTHORIZE_URL,
        graphUrl: config.META_GRAPH_URL,
      }),
    },
    google: {
      ...base.google,
      ...defined({
        clientId: config.GOOGLE_CLIENT_ID,
        clientSecret: config.GOOGLE_CLIENT_SECRET,
        developerToken: config.GOOGLE_DEVELOPER_TOKEN,
        redirectUri: config.GOOGLE_REDIRECT_URI,
        authorizeUrl: config.GOOGLE_AUTHORIZE_URL,
        tokenUrl: config.GOOGLE_TOKEN_URL,
        revokeUrl: config.GOOGLE_REVOKE_URL,
        adsApiUrl: config.GOOGLE_ADS_API_URL,
      }),
    },
    tiktok: {
      ...base.tiktok,
      ...defined({
        appId: config.TIKTOK_APP_ID,
        secret: config.TIKTOK_APP_SECRET,
        redirectUri: config.TIKTOK_REDIRECT_URI,
        authorizeUrl: config.TIKTOK_AUTHORIZE_URL,
        apiUrl: config.TIKTOK_API_URL,
      }),
    },
    klaviyo: {
      ...base.klaviyo,
      ...defined({
        clientId: config.KLAVIYO_CLIENT_ID,
        clientSecret: config.KLAVIYO_CLIENT_SECRET,
        scopes: config.KLAVIYO_SCOPES,
        redirectUri: config.KLAVIYO_REDIRECT_URI,
        authorizeUrl: config.KLAVIYO_AUTHORIZE_URL,
        tokenUrl: config.KLAVIYO_TOKEN_URL,
        revokeUrl: config.KLAVIYO_REVOKE_URL,
        apiUrl: config.KLAVIYO_API_URL,
        revision: config.KLAVIYO_REVISION,
      }),
    },
  };
  const configured = (
    [
      ['meta', settings.meta.appId !== '' && settings.meta.appSecret !== ''],
      [
        'google',
        settings.google.clientId !== '' && settings.google.clientSecret !== '' && settings.google.developerToken !== '',
      ],
      ['tiktok', settings.tiktok.appId !== '' && settings.tiktok.secret !== ''],
      // Private keys need no app; Klaviyo OAuth does (checked where it is used).
      ['klaviyo', true],
    ] as const
  )
    .filter(([, ready]) => ready)
    .map(([id]) => id);
  return { target, settings, configured };
}
