// Google's two error shapes mapped to ProviderErrors: OAuth `{error, error_description}` from the token and
// revoke endpoints (providers.md §2.1), and the Ads API's google.rpc.Status whose GoogleAdsFailure detail
// names the cause, e.g. `authenticationError: OAUTH_TOKEN_REVOKED` or a quota error with its retryDelay (§2.4),
// whether it comes with its HTTP answer or, from google-ads-api, as the bare GoogleAdsFailure.

import type { HttpResponse } from '../http.ts';
import { oauth2Error, providerError, withoutQuery } from '../oauth2-errors.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';
import { type AdsStatus, adsErrorEnvelope, adsFailure, adsStatus } from './google.schemas.ts';

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

/**
 * The HTTP status a failure arrived with, from what it says when the status itself is lost (google-ads-api
 * rethrows a searchStream failure as its GoogleAdsFailure alone): each Ads error kind and rpc status has one.
 */
function impliedHttpStatus(status: string | undefined, kind: string | undefined): number {
  if (kind === 'authenticationError' || status === 'UNAUTHENTICATED') return 401;
  if (kind === 'authorizationError' || status === 'PERMISSION_DENIED') return 403;
  if (kind === 'quotaError' || status === 'RESOURCE_EXHAUSTED') return 429;
  if (status === 'NOT_FOUND') return 404;
  if (kind === 'internalError' || ['INTERNAL', 'UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(status ?? '')) return 500;
  return 400;
}

/** A protobuf Duration in JSON ("30s", "1.5s") as milliseconds. */
function durationMs(duration: string | undefined): number | undefined {
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(duration ?? '')?.[1];
  return seconds === undefined ? undefined : Math.ceil(Number(seconds) * 1000);
}

function adsProviderError(
  httpStatus: number | undefined,
  status: AdsStatus | undefined,
  action: string,
): ProviderError {
  const first = status?.details?.flatMap((detail) => detail.errors ?? [])[0];
  const [kind, reason] = Object.entries(first?.errorCode ?? {})[0] ?? [];
  const effectiveStatus = httpStatus ?? impliedHttpStatus(status?.status, kind);
  const code = adsCode(effectiveStatus, status?.status, reason);
  const platformCode = kind === undefined ? (status?.status ?? `http_${effectiveStatus}`) : `${kind}.${reason}`;
  if (code === 'invalid_grant') {
    return providerError(
      code,
      'Google Ads refused the access token: it expired or access was revoked. Refresh it, or reconnect Google Ads.',
      platformCode,
    );
  }
  const text = first?.message ?? status?.message ?? `HTTP ${effectiveStatus}`;
  const error = providerError(code, `Google Ads refused to ${action}: ${withoutQuery(text)}`, platformCode);
  if (code !== 'rate_limited') return error;
  const quota = first?.details?.quotaErrorDetails;
  const retryAfterMs = durationMs(quota?.retryDelay);
  return {
    ...error,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    // ACCOUNT is the customer's own budget; every other scope (DEVELOPER, unspecified) is the app's.
    limitScope: quota?.rateScope === 'ACCOUNT' ? 'account' : 'app',
  };
}

/** An Ads API answer that was not a success. */
export function googleAdsError(response: HttpResponse, action: string): ProviderError {
  const parsed = adsErrorEnvelope.safeParse(response.body);
  return adsProviderError(response.status, parsed.success ? parsed.data.error : undefined, action);
}

/**
 * A GoogleAdsFailure without the HTTP answer it came in, as google-ads-api throws it from a failed
 * searchStream (the status is implied by the error kind).
 */
export function googleAdsFailureError(failure: unknown, action: string): ProviderError {
  const parsed = adsFailure.safeParse(failure);
  return adsProviderError(undefined, parsed.success ? { details: [parsed.data] } : undefined, action);
}

/** A google.rpc.Status without a GoogleAdsFailure and without its HTTP answer (e.g. a 503 from a front end). */
export function googleRpcStatusError(status: unknown, action: string): ProviderError {
  const parsed = adsStatus.safeParse(status);
  return adsProviderError(undefined, parsed.success ? parsed.data : undefined, action);
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `Google answered ${action} in an unexpected shape.`, retryable: true };
}
