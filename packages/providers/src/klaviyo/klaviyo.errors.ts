// Klaviyo's two error shapes mapped to ProviderErrors: OAuth-style `{error, error_description}` from the
// token and revoke endpoints, and JSON:API `{errors:[…]}` from /api, where the HTTP status decides.

import type { HttpResponse } from '../http.ts';
import { oauth2Error, providerError, retryAfterMs, withoutQuery } from '../oauth2-errors.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';
import { errorEnvelope } from './klaviyo.schemas.ts';

/** Which credential an /api call carried: it changes what a 401 asks the admin to do. */
export type CredentialKind = 'oauth' | 'private_key';

function build(code: ProviderErrorCode, message: string, platformCode: string, response: HttpResponse): ProviderError {
  return providerError(code, message, platformCode, code === 'rate_limited' ? retryAfterMs(response) : undefined);
}

function byStatus(status: number): ProviderErrorCode {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status === 401) return 'invalid_grant';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  return 'invalid_request';
}

/** An answer of /oauth/token or /oauth/revoke that was not a success. */
export function klaviyoOAuthError(response: HttpResponse, action: string): ProviderError {
  return oauth2Error(response, {
    platform: 'Klaviyo',
    action,
    reconnectAdvice: 'Reconnect Klaviyo.',
    configurationAdvice: 'The Klaviyo app credentials in adsync’s configuration are wrong.',
  });
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
  return build(code, `Klaviyo refused to ${action}: ${withoutQuery(reason)}.`, platformCode, response);
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `Klaviyo answered ${action} in an unexpected shape.`, retryable: true };
}
