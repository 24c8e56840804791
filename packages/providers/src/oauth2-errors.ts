// What every platform client shares when it turns a failed answer into a ProviderError: one constructor,
// message hygiene, Retry-After, and the RFC 6749 §5.2 token-endpoint errors (`{error, error_description}`)
// that Google and Klaviyo both answer with.

import { z } from 'zod';
import { type HttpResponse, headerValue } from './http.ts';
import type { ProviderError, ProviderErrorCode } from './provider.ts';

export function providerError(
  code: ProviderErrorCode,
  message: string,
  platformCode: string,
  retryAfterMs?: number,
): ProviderError {
  return {
    code,
    message,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/** Platform text may quote the request URL; its query string (which may hold a token) must not reach a message. */
export function withoutQuery(text: string): string {
  return text.replace(/\?\S*/g, '').trim().replace(/\.+$/, '');
}

/** Retry-After in seconds, or as an HTTP date. */
export function retryAfterMs(response: HttpResponse): number | undefined {
  const header = headerValue(response, 'retry-after');
  if (header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const oauth2ErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

function oauth2Code(error: string | undefined, status: number): ProviderErrorCode {
  // A revoke endpoint answers invalid_token for a token that is already expired or revoked.
  if (error === 'invalid_grant' || error === 'invalid_token') return 'invalid_grant';
  // 401 is the client failing HTTP Basic auth.
  if (error === 'invalid_client' || error === 'unauthorized_client' || status === 401) return 'invalid_client';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  return 'invalid_request';
}

/** A token or revoke endpoint's refusal, with advice for the two cases someone can act on. */
export function oauth2Error(
  response: HttpResponse,
  context: { platform: string; action: string; reconnectAdvice: string; configurationAdvice: string },
): ProviderError {
  const parsed = oauth2ErrorBody.safeParse(response.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = oauth2Code(error, response.status);
  const description = parsed.success ? (parsed.data.error_description ?? parsed.data.error) : `HTTP ${response.status}`;
  const advice =
    code === 'invalid_grant'
      ? ` ${context.reconnectAdvice}`
      : code === 'invalid_client'
        ? ` ${context.configurationAdvice}`
        : '';
  return providerError(
    code,
    `${context.platform} refused to ${context.action}: ${withoutQuery(description)}.${advice}`,
    error ?? `http_${response.status}`,
    code === 'rate_limited' ? retryAfterMs(response) : undefined,
  );
}
