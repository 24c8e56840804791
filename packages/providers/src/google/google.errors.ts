// Google's two error shapes mapped to ProviderErrors: OAuth `{error, error_description}` from the token and
// revoke endpoints (providers.md §2.1), and the Ads API's google.rpc.Status whose GoogleAdsFailure detail
// names the cause, e.g. `authenticationError: OAUTH_TOKEN_REVOKED` or a quota error with its retryDelay (§2.4).

import type { HttpResponse } from '../http.ts';
import { oauth2Error, providerError, withoutQuery } from '../oauth2-errors.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';
import { adsErrorEnvelope } from './google.schemas.ts';

/** An answer of the token or revoke endpoint that was not a success. */
export function googleOAuthError(response: HttpResponse, action: string): ProviderError {
  return oauth2Error(response, {
    platform: 'Google',
    action,
    reconnectAdvice: 'Reconnect Google Ads.',
    configurationAdvice: 'The Google OAuth client id or secret in adsync’s configuration is wrong.',
  });
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
    return providerError(
      code,
      'Google Ads refused the access token: it expired or access was revoked. Refresh it, or reconnect Google Ads.',
      platformCode,
    );
  }
  const retryAfterMs = code === 'rate_limited' ? durationMs(first?.details?.quotaErrorDetails?.retryDelay) : undefined;
  const text = first?.message ?? status?.message ?? `HTTP ${response.status}`;
  return providerError(code, `Google Ads refused to ${action}: ${withoutQuery(text)}`, platformCode, retryAfterMs);
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `Google answered ${action} in an unexpected shape.`, retryable: true };
}
