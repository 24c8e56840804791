// The contract every platform client meets. Providers are HTTP clients and nothing else: tokens come in as
// arguments and results go out as values; they never touch the database, queues or logs (DESIGN §1).

import type { Result } from '@adsync/errors';

export const PROVIDER_IDS = ['meta', 'google', 'tiktok', 'klaviyo'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/**
 * Why a platform call failed, as a stable code the caller acts on. Messages say what happened in words a
 * brand admin can act on and never contain a token, code, key or secret.
 */
export type ProviderErrorCode =
  /** The code, refresh token or access token is invalid, expired or revoked: the brand must reconnect. */
  | 'invalid_grant'
  /** The app's own credentials (client id / secret) were refused: an operator must fix configuration. */
  | 'invalid_client'
  /** The grant lacks a permission the call needs. */
  | 'permission_denied'
  /** The platform throttled us; `retryAfterMs` says when to come back when the platform says so. */
  | 'rate_limited'
  /** The request was malformed (our bug or bad input): retrying will not help. */
  | 'invalid_request'
  /** The account or object does not exist or is not reachable with this grant. */
  | 'not_found'
  /** Timeouts, 5xx, unparsable answers: worth retrying later. */
  | 'unavailable'
  /**
   * The platform answered with something adsync refuses to act on (paging.ts, time-zone.ts): a next-page link
   * off its own host, more pages than any real account has, a time zone adsync cannot date spend in. Retrying
   * will not help until the platform's answer changes.
   */
  | 'invalid_response';

export interface ProviderError {
  readonly code: ProviderErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** For `rate_limited`: which budget the platform throttled (the caller pauses just that scope). */
  readonly limitScope?: 'app' | 'account' | 'endpoint';
  /** The platform's own error code and subcode (e.g. Meta 190/463), for the audit trail. */
  readonly platformCode?: string;
}

export type ProviderResult<T> = Result<T, ProviderError>;

/** Credentials from an OAuth exchange or refresh. Instants are absolute; null means "no expiry". */
export interface TokenSet {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date | null;
  readonly refreshToken: string | null;
  readonly refreshTokenExpiresAt: Date | null;
  /** The scopes the platform says were granted (may be fewer than requested). */
  readonly scopes: readonly string[];
  /** The platform's id of the person or install that granted access, when it tells us. */
  readonly externalUserId: string | null;
}

/** An ad account (or Klaviyo account) reachable with a grant. */
export interface DiscoveredAccount {
  /** The platform's id as its API takes it (Meta `act_…`, Google 10 digits, TikTok advertiser id). */
  readonly externalId: string;
  readonly name: string;
  /** ISO 4217. */
  readonly currency: string;
  /** IANA time zone; spend dates are in it. */
  readonly timezone: string;
  /** Google: the manager the account is reached through (`login-customer-id`). */
  readonly managerExternalId: string | null;
}

/** What the platform sent back to our callback URL. */
export type CallbackOutcome =
  | { readonly kind: 'code'; readonly code: string }
  /** The person said no. */
  | { readonly kind: 'denied'; readonly message: string }
  /** The platform reported an error (or sent nothing usable). */
  | { readonly kind: 'error'; readonly message: string };

export interface OAuthProvider {
  readonly id: ProviderId;
  /** Whether the authorization request carries a PKCE S256 challenge (and the exchange the verifier). */
  readonly usesPkce: boolean;
  /** Scopes without which adsync cannot work; a grant missing one is reported to the admin. */
  readonly requiredScopes: readonly string[];
  /** The platform URL to send the browser to. */
  authorizationUrl(request: { state: string; codeChallenge?: string }): string;
  /** Reads the callback's query parameters (the platform's own names). */
  readCallback(query: Readonly<Record<string, string | undefined>>): CallbackOutcome;
  /**
   * Exchanges the code for the longest-lived credentials the platform offers (Meta: the long-lived token,
   * with scopes and expiry from debug_token).
   */
  exchangeCode(input: { code: string; codeVerifier?: string }): Promise<ProviderResult<TokenSet>>;
  /** New credentials from a refresh token. Platforms without refresh tokens answer `invalid_grant`. */
  refresh(tokens: TokenSet): Promise<ProviderResult<TokenSet>>;
  /** Every account the grant reaches, with currency and time zone. */
  listAccounts(tokens: TokenSet): Promise<ProviderResult<DiscoveredAccount[]>>;
  /**
   * What the platform says about the credentials now (Meta: debug_token), for platforms whose tokens
   * cannot be refreshed. Invalid credentials answer `invalid_grant`. Absent: a health check lists accounts.
   */
  inspect?(tokens: TokenSet): Promise<ProviderResult<{ accessTokenExpiresAt: Date | null; scopes: readonly string[] }>>;
  /** Revokes the grant at the platform; `ok(false)` when the platform has no revocation endpoint. */
  revoke(tokens: TokenSet): Promise<ProviderResult<boolean>>;
}
