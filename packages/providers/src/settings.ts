// What each platform client is configured with: the app's credentials, our redirect URI, scopes and every
// base URL, so the same code talks to the simulator or the real platform (packages/config builds these).

export interface MetaSettings {
  appId: string;
  appSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  /** e.g. https://www.facebook.com/v25.0/dialog/oauth */
  authorizeUrl: string;
  /** Graph base with version, e.g. https://graph.facebook.com/v25.0 */
  graphUrl: string;
}

export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  developerToken: string;
  /** e.g. https://accounts.google.com/o/oauth2/v2/auth */
  authorizeUrl: string;
  /** e.g. https://oauth2.googleapis.com/token */
  tokenUrl: string;
  /** e.g. https://oauth2.googleapis.com/revoke */
  revokeUrl: string;
  /** Ads REST base with version, e.g. https://googleads.googleapis.com/v23 */
  adsApiUrl: string;
}

export interface TikTokSettings {
  appId: string;
  secret: string;
  redirectUri: string;
  /** e.g. https://business-api.tiktok.com/portal/auth */
  authorizeUrl: string;
  /** e.g. https://business-api.tiktok.com/open_api/v1.3 */
  apiUrl: string;
}

export interface KlaviyoSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  /** e.g. https://www.klaviyo.com/oauth/authorize */
  authorizeUrl: string;
  /** e.g. https://a.klaviyo.com/oauth/token */
  tokenUrl: string;
  /** e.g. https://a.klaviyo.com/oauth/revoke */
  revokeUrl: string;
  /** e.g. https://a.klaviyo.com/api */
  apiUrl: string;
  /** The API revision header every call sends, e.g. 2025-10-15. */
  revision: string;
}

export interface ProviderSettings {
  meta: MetaSettings;
  google: GoogleSettings;
  tiktok: TikTokSettings;
  klaviyo: KlaviyoSettings;
}
