// Graph's error envelope (providers.md §1.2, §1.5) mapped to ProviderErrors: 190 means reconnect, the
// throttling codes mean back off (for as long as the usage headers say, and for the budget that ran out),
// 1/2, failed async reports and 5xx mean retry.

import { type HttpResponse, headerValue } from '../http.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
}

/** Code 4: the app's own request limit (Insights subcodes 1504022/1504039 included). */
const APP_THROTTLE_CODE = 4;
/**
 * 17 is the user's limit (and the 4-per-hour ad set budget edits) and 32 a Page's: neither is the whole app,
 * and the token they count against serves this connection's accounts, so the account is the scope to pause.
 * 613 (1487742) and the BUC codes 80000–80014 are the ad account's.
 */
const ACCOUNT_THROTTLE_CODES = new Set([17, 32, 613]);
/** Code-exchange subcodes: the code expired, its redirect_uri differs, or it was already used. */
const BAD_CODE_SUBCODES = new Set([36007, 36008, 36009]);
/** Insights errors worth retrying: an async report failed (-2/2490547), a sync read timed out (100/1504018). */
const ASYNC_REPORT_FAILED = -2;
const INSIGHTS_TIMEOUT_SUBCODE = 1504018;

function throttleScope(code: number): ProviderError['limitScope'] {
  if (code === APP_THROTTLE_CODE) return 'app';
  if (ACCOUNT_THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014)) return 'account';
  return undefined;
}

function jsonHeader(response: HttpResponse, name: string): unknown {
  const header = headerValue(response, name);
  if (header === undefined) return undefined;
  try {
    return JSON.parse(header) as unknown;
  } catch {
    return undefined;
  }
}

function positiveNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Milliseconds until the throttled scope regains access: the BUC header's estimate (minutes), else, for an
 * account throttle, the ad account header's reset time (seconds), when either is present.
 */
function regainAfterMs(response: HttpResponse, scope: ProviderError['limitScope']): number | undefined {
  const usage = jsonHeader(response, 'x-business-use-case-usage');
  let ms = 0;
  if (usage !== null && typeof usage === 'object') {
    for (const entries of Object.values(usage)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as { estimated_time_to_regain_access?: unknown }[]) {
        ms = Math.max(ms, positiveNumber(entry?.estimated_time_to_regain_access) * 60_000);
      }
    }
  }
  if (ms === 0 && scope === 'account') {
    const account = jsonHeader(response, 'x-ad-account-usage') as { reset_time_duration?: unknown } | undefined;
    ms = positiveNumber(account?.reset_time_duration) * 1000;
  }
  return ms > 0 ? ms : undefined;
}

function classify(error: GraphError, status: number): ProviderErrorCode {
  const code = error.code ?? 0;
  if (code === 190 || code === 102) return 'invalid_grant';
  if (code === 101 || (code === 1 && /client secret/i.test(error.message ?? ''))) return 'invalid_client';
  if (code === 100 && BAD_CODE_SUBCODES.has(error.error_subcode ?? 0)) return 'invalid_grant';
  if (throttleScope(code) !== undefined) return 'rate_limited';
  if (code === ASYNC_REPORT_FAILED || (code === 100 && error.error_subcode === INSIGHTS_TIMEOUT_SUBCODE)) {
    return 'unavailable';
  }
  if (code === 10 || (code >= 200 && code <= 299)) return 'permission_denied';
  if (code === 100 && error.error_subcode === 33) return 'not_found';
  if (code === 100) return 'invalid_request';
  if (status >= 500 || code === 1 || code === 2) return 'unavailable';
  return 'invalid_request';
}

export function metaError(response: HttpResponse, action: string): ProviderError {
  const body = response.body as { error?: GraphError } | undefined;
  const error = body?.error ?? {};
  const code = classify(error, response.status);
  const platformCode =
    error.code === undefined
      ? `http_${response.status}`
      : `${error.code}${error.error_subcode === undefined ? '' : `/${error.error_subcode}`}`;
  const limitScope = code === 'rate_limited' ? throttleScope(error.code ?? 0) : undefined;
  const retryAfterMs = code === 'rate_limited' ? regainAfterMs(response, limitScope) : undefined;
  return {
    code,
    message: `Meta refused to ${action}: ${error.message ?? `HTTP ${response.status}`}`,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(limitScope === undefined ? {} : { limitScope }),
  };
}
