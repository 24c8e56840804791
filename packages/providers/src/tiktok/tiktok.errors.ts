// TikTok's envelope codes (providers.md §3.3) mapped to ProviderErrors. TikTok answers HTTP 200 even on
// errors, so the `code` decides; throttling has no headers, only the QPS/QPM/QPD advice of §3.4.

import type { ProviderError, ProviderErrorCode } from '../provider.ts';

/** Expired, empty or invalid access token; expired or invalid refresh token; bad auth_code. */
const GRANT_CODES = new Set([40102, 40103, 40104, 40105, 40107, 40110]);
/** Invalid app credentials; app blocked, missing, or not the app the token belongs to. */
const CLIENT_CODES = new Set([40101, 40113]);
/**
 * QPS limits and the budget each one spends (§3.3/3.4): the app's own limit (40100, and 40016 for an
 * endpoint's app-level limit), one advertiser's (40133), one field value's such as a pixel code (40132).
 */
const THROTTLE_SCOPES = new Map<number, NonNullable<ProviderError['limitScope']>>([
  [40016, 'app'],
  [40100, 'app'],
  [40132, 'endpoint'],
  [40133, 'account'],
]);
/** No permission on the asset, token not for this advertiser, scope not authorized. */
const PERMISSION_CODES = new Set([40001, 40106, 40130]);
/** Object or advertiser does not exist / cannot be matched. */
const MISSING_CODES = new Set([40007, 40300, 40301]);
/** Write conflict and async-task hiccups: the same call can succeed later. */
const TRANSIENT_CODES = new Set([40200, 40202]);

function classify(code: number): ProviderErrorCode {
  if (GRANT_CODES.has(code)) return 'invalid_grant';
  if (CLIENT_CODES.has(code)) return 'invalid_client';
  if (THROTTLE_SCOPES.has(code)) return 'rate_limited';
  if (PERMISSION_CODES.has(code)) return 'permission_denied';
  if (MISSING_CODES.has(code)) return 'not_found';
  // 5xxxx are TikTok's own failures; 60001 is maintenance.
  if (TRANSIENT_CODES.has(code) || (code >= 50000 && code < 70000)) return 'unavailable';
  return 'invalid_request';
}

/** §3.4 recovery advice: QPS → the next second, QPM → 5 minutes, QPD → 00:00 UTC. QPS unless the text says. */
function retryAfterMs(message: string): number {
  if (/\bQPD\b|per day|daily/i.test(message)) {
    const now = new Date();
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();
  }
  if (/\bQPM\b|per minute/i.test(message)) return 300_000;
  return 1_000;
}

const ADVICE: Partial<Record<ProviderErrorCode, string>> = {
  invalid_grant: ' Reconnect TikTok (or refresh, if the access token merely expired).',
  invalid_client: ' The TikTok app id or secret in adsync’s configuration is wrong, or the app is blocked.',
};

/**
 * Platform text may quote the request (a URL with a query string, or the token or code we sent): both are
 * cut out before the text reaches a message.
 */
function safe(text: string, secrets: readonly string[]): string {
  let clean = text.replace(/\?\S*/g, '');
  for (const secret of secrets) if (secret !== '') clean = clean.split(secret).join('[redacted]');
  return clean.trim().replace(/\.+$/, '');
}

/** An envelope whose `code` is not a success. `secrets`: every credential the request carried. */
export function tiktokError(
  answer: { code: number; message: string },
  action: string,
  secrets: readonly string[],
): ProviderError {
  const code = classify(answer.code);
  const reason = answer.message === '' ? `code ${answer.code}` : safe(answer.message, secrets);
  return {
    code,
    message: `TikTok refused to ${action}: ${reason}.${ADVICE[code] ?? ''}`,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode: String(answer.code),
    ...(code === 'rate_limited'
      ? { retryAfterMs: retryAfterMs(answer.message), limitScope: THROTTLE_SCOPES.get(answer.code) ?? 'app' }
      : {}),
  };
}

/**
 * A non-200 answer: providers.md §3.3 says 4xx never reached the API logic (a bad path or method, our bug)
 * and 5xx is worth retrying in a few minutes.
 */
export function httpStatusError(status: number, action: string): ProviderError {
  const code: ProviderErrorCode = status >= 500 ? 'unavailable' : 'invalid_request';
  return {
    code,
    message: `TikTok answered HTTP ${status} when asked to ${action}.`,
    retryable: code === 'unavailable',
    platformCode: `http_${status}`,
  };
}

export function schemaError(action: string): ProviderError {
  return { code: 'unavailable', message: `TikTok answered ${action} in an unexpected shape.`, retryable: true };
}
