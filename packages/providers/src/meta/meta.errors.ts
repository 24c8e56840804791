// Graph's error envelope (providers.md §1.2, §1.5) mapped to ProviderErrors: 190 means reconnect, the
// throttling codes mean back off (for as long as the usage headers say), 1/2 and 5xx mean retry.

import { type HttpResponse, headerValue } from '../http.ts';
import type { ProviderError, ProviderErrorCode } from '../provider.ts';

interface GraphError {
  message?: string;
  code?: number;
  error_subcode?: number;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613]);
/** Code-exchange subcodes: the code expired, its redirect_uri differs, or it was already used. */
const BAD_CODE_SUBCODES = new Set([36007, 36008, 36009]);

function isThrottle(code: number): boolean {
  return THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014);
}

/** Milliseconds until the throttled scope regains access, from the BUC header (minutes) when present. */
function regainAfterMs(response: HttpResponse): number | undefined {
  const header = headerValue(response, 'x-business-use-case-usage');
  if (header === undefined) return undefined;
  try {
    const usage = JSON.parse(header) as Record<string, { estimated_time_to_regain_access?: number }[]>;
    const minutes = Math.max(
      0,
      ...Object.values(usage).flatMap((entries) => entries.map((entry) => entry.estimated_time_to_regain_access ?? 0)),
    );
    return minutes > 0 ? minutes * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

function classify(error: GraphError, status: number): ProviderErrorCode {
  const code = error.code ?? 0;
  if (code === 190 || code === 102) return 'invalid_grant';
  if (code === 101 || (code === 1 && /client secret/i.test(error.message ?? ''))) return 'invalid_client';
  if (code === 100 && BAD_CODE_SUBCODES.has(error.error_subcode ?? 0)) return 'invalid_grant';
  if (isThrottle(code)) return 'rate_limited';
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
  const retryAfterMs = code === 'rate_limited' ? regainAfterMs(response) : undefined;
  return {
    code,
    message: `Meta refused to ${action}: ${error.message ?? `HTTP ${response.status}`}`,
    retryable: code === 'rate_limited' || code === 'unavailable',
    platformCode,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
