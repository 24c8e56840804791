// Klaviyo's two error shapes mapped to ProviderErrors: OAuth-style `{error, error_description}` from the
// token and revoke endpoints, and JSON:API `{errors:[…]}` from /api, where the HTTP status decides.

import { type HttpResponse, headerValue } from '../http.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';
import { errorEnvelope, oauthErrorBody } from './klaviyo.schemas.ts';

/** Which credential an /api call carried: it changes what a 401 asks the admin to do. */
export type CredentialKind = 'oauth' | 'private_key';

/** Platform text may quote the request URL; its query string must not reach a message. */
function safe(text: string): string {
  return text.replace(/\?\S*/g, '').trim().replace(/\.+$/, '');
}

/** Retry-After is seconds on Klaviyo's 429s; an HTTP date is honoured too. */
function retryAfterMs(response: HttpResponse): number | undefined {
  const header = headerValue(response, 'retry-after');
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function build(code: ProviderErrorCode, message: string, platformCode: string, response: HttpResponse): ProviderError {
  const wait = code === 'rate_limited' ? retryAfterMs(response) : undefined;
  return {
    code,
    message,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  };
}

function byStatus(status: number): ProviderErrorCode {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 401) return 'invalid_grant';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  return 'invalid_request';
}

/** RFC 6749 §5.2 codes; 401 is the client failing HTTP Basic auth. */
function oauthCode(error: string | undefined, status: number): ProviderErrorCode {
  if (error === 'invalid_grant') return 'invalid_grant';
  if (error === 'invalid_client' || status === 401) return 'invalid_client';
  if (status === 429 || status >= 500) return byStatus(status);
  return 'invalid_request';
}

/** An answer of /oauth/token or /oauth/revoke that was not a success. */
export function klaviyoOAuthError(response: HttpResponse, action: string): ProviderError {
  const parsed = oauthErrorBody.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = oauthCode(error, response.status);
  const description = parsed.success ? (parsed.data.error_description ?? parsed.data.error) : `HTTP ${response.status}`;
  const advice =
    code === 'invalid_grant'
      ? ' Reconnect Klaviyo.'
      : code === 'invalid_client'
        ? ' The Klaviyo app credentials in adsync’s configuration are wrong.'
        : '';
  return build(
    code,
    `Klaviyo refused to ${action}: ${safe(description)}.${advice}`,
    error ?? `http_${response.status}`,
    response,
  );
}

/** An /api answer that was not a success. */
export function klaviyoApiError(response: HttpResponse, action: string, credential: CredentialKind): ProviderError {
  const parsed = errorEnvelope.safeParse(response.body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const code = byStatus(response.status);
  const platformCode = first?.code ?? `http_${response.status}`;
  if (code === 'invalid_grant') {
    const message =
      credential === 'private_key'
        ? 'Klaviyo says the private key is not valid: it may be mistyped or deleted. Paste a current private key.'
        : 'Klaviyo refused the access token: it expired or access was revoked. Refresh it, or reconnect Klaviyo.';
    return build(code, message, platformCode, response);
  }
  const reason = first?.detail ?? first?.title ?? `HTTP ${response.status}`;
  return build(code, `Klaviyo refused to ${action}: ${safe(reason)}.`, platformCode, response);
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `Klaviyo answered ${action} in an unexpected shape.`, retryable: true };
}
