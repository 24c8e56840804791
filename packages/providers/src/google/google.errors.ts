// Google's two error shapes mapped to ProviderErrors: OAuth `{error, error_description}` from the token and
// revoke endpoints (providers.md §2.1), and the Ads API's google.rpc.Status whose GoogleAdsFailure detail
// names the cause, e.g. `authenticationError: OAUTH_TOKEN_REVOKED` or a quota error with its retryDelay (§2.4).

import type { HttpResponse } from '../http.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';
import { adsErrorEnvelope, oauthErrorBody } from './google.schemas.ts';

/** Platform text may quote the request URL; its query string must not reach a message. */
function safe(text: string): string {
  return text.replace(/\?\S*/g, '').trim();
}

function build(code: ProviderErrorCode, message: string, platformCode: string, retryAfterMs?: number): ProviderError {
  return {
    code,
    message,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function oauthCode(error: string | undefined, status: number): ProviderErrorCode {
  // /revoke answers invalid_token for a token that is already expired or revoked.
  if (error === 'invalid_grant' || error === 'invalid_token') return 'invalid_grant';
  if (error === 'invalid_client' || error === 'unauthorized_client' || status === 401) return 'invalid_client';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid_request';
}

/** An answer of the token or revoke endpoint that was not a success. */
export function googleOAuthError(response: HttpResponse, action: string): ProviderError {
  const parsed = oauthErrorBody.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = oauthCode(error, response.status);
  const description = parsed.success ? (parsed.data.error_description ?? parsed.data.error) : `HTTP ${response.status}`;
  const advice =
    code === 'invalid_grant'
      ? ' Reconnect Google Ads.'
      : code === 'invalid_client'
        ? ' The Google OAuth client id or secret in adsync’s configuration is wrong.'
        : '';
  return build(code, `Google refused to ${action}: ${safe(description)}.${advice}`, error ?? `http_${response.status}`);
}

function adsCode(httpStatus: number, status: string | undefined, reason: string | undefined): ProviderErrorCode {
  // Both arrive as 401 authenticationErrors but are about the customer id, not the credentials.
  if (reason === 'CUSTOMER_NOT_FOUND') return 'not_found';
  if (reason === 'CLIENT_CUSTOMER_ID_INVALID') return 'invalid_request';
  if (httpStatus === 401 || status === 'UNAUTHENTICATED') return 'invalid_grant';
  if (httpStatus === 429 || status === 'RESOURCE_EXHAUSTED') return 'rate_limited';
  if (httpStatus === 403 || status === 'PERMISSION_DENIED') return 'permission_denied';
  if (httpStatus === 404 || status === 'NOT_FOUND') return 'not_found';
  if (httpStatus >= 500) return 'unavailable';
  return 'invalid_request';
}

/** A protobuf Duration in JSON ("30s", "1.5s") as milliseconds. */
function durationMs(duration: string | undefined): number | undefined {
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(duration ?? '')?.[1];
  return seconds === undefined ? undefined : Math.ceil(Number(seconds) * 1000);
}

/** An Ads API answer that was not a success. */
export function googleAdsError(response: HttpResponse, action: string): ProviderError {
  const parsed = adsErrorEnvelope.safeParse(response.body);
  const status = parsed.success ? parsed.data.error : undefined;
  const first = status?.details?.flatMap((detail) => detail.errors ?? [])[0];
  const [kind, reason] = Object.entries(first?.errorCode ?? {})[0] ?? [];
  const code = adsCode(response.status, status?.status, reason);
  const platformCode = kind === undefined ? (status?.status ?? `http_${response.status}`) : `${kind}.${reason}`;
  if (code === 'invalid_grant') {
    return build(
      code,
      'Google Ads refused the access token: it expired or access was revoked. Refresh it, or reconnect Google Ads.',
      platformCode,
    );
  }
  const retryAfterMs = code === 'rate_limited' ? durationMs(first?.details?.quotaErrorDetails?.retryDelay) : undefined;
  const text = first?.message ?? status?.message ?? `HTTP ${response.status}`;
  return build(code, `Google Ads refused to ${action}: ${safe(text)}`, platformCode, retryAfterMs);
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `Google answered ${action} in an unexpected shape.`, retryable: true };
}
