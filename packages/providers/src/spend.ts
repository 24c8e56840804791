// The contract every platform's spend reader meets: one ad account, a range of local dates, one grain, and
// rows out with money as integer micros. Readers are HTTP clients like the rest of this package: the access
// token comes in, rows go out; pacing against the fleet's limiter is the caller's, through `CallPacer`.

import type { ProviderId, ProviderResult } from './provider.ts';

/**
 * What a row is split by. `day`: one row per date (hour and region null); `hour`: one row per date and local
 * hour (region null); `region`: one row per date and region (hour null). The three never mix in one row, so
 * a date's `day` row, the sum of its `hour` rows and the sum of its `region` rows all describe the same spend.
 */
export type SpendGrain = 'day' | 'hour' | 'region';
export const SPEND_GRAINS: readonly SpendGrain[] = ['day', 'hour', 'region'];

export interface SpendRow {
  /** 'YYYY-MM-DD' in the ad account's time zone. */
  readonly date: string;
  /** 0–23 in the account's time zone for `hour` rows; null otherwise. */
  readonly hour: number | null;
  /** The platform's region for `region` rows (Meta: name, Google: geo target name, TikTok: province id). */
  readonly region: string | null;
  /** Millionths of the account currency, exact (never through a float). */
  readonly spendMicros: bigint;
  readonly impressions: number;
  readonly clicks: number;
}

export interface SpendAccount {
  /** As the platform's API takes it: Meta `act_…`, Google 10 digits, TikTok advertiser id. */
  readonly externalId: string;
  /** ISO 4217; platforms report decimals in it. */
  readonly currency: string;
  /** Google: the manager to send as `login-customer-id`; null when reached directly. */
  readonly managerExternalId: string | null;
}

/** A platform's own report of how much of a limit is used (Meta's usage headers, Klaviyo's RateLimit-*). */
export interface UsageSignal {
  /** `app`: the whole app's budget; `account`: this ad account's. */
  readonly scope: 'app' | 'account';
  /** 0–100 (and more): how much of the budget is used. */
  readonly percentUsed: number;
  /** When the platform says access returns (Meta `estimated_time_to_regain_access`), in ms from now. */
  readonly regainAccessInMs?: number;
}

/**
 * How a reader lets its caller pace each request it makes: `before` waits for room under the fleet's
 * limiter (false: no room soon enough, the reader stops with `rate_limited`); `usage` hears what the
 * platform says of its budgets, so the caller can slow down before the platform throttles.
 */
export interface CallPacer {
  before(endpoint: string): Promise<boolean>;
  usage(signal: UsageSignal): Promise<void>;
}

/** Lets every request through at once; for tools and tests that run one reader alone. */
export const UNPACED: CallPacer = {
  before: async () => true,
  usage: async () => undefined,
};

export interface SpendQuery {
  readonly accessToken: string;
  readonly account: SpendAccount;
  /** Inclusive local dates, 'YYYY-MM-DD'. */
  readonly from: string;
  readonly to: string;
  readonly grain: SpendGrain;
  readonly pacer: CallPacer;
  /** Aborts waits (polling, backoff) when the worker shuts down. */
  readonly signal?: AbortSignal;
}

export interface SpendReader {
  readonly provider: Exclude<ProviderId, 'klaviyo'>;
  /** Every row of the range at the grain; dates and hours with no spend may be absent. */
  read(query: SpendQuery): Promise<ProviderResult<SpendRow[]>>;
}

/** Our own limiter had no room soon enough: the platform was never asked. */
export function noRoomUnderLimiter(provider: string) {
  return {
    code: 'rate_limited' as const,
    message: `adsync is at its own rate limit for ${provider}; retrying shortly.`,
    retryable: true,
    retryAfterMs: 5_000,
  };
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal amount as platforms send it ("12.34", "500", "0.1234567") to integer micros, digit by digit, so
 * no float ever rounds money. Digits past the sixth decimal are rounded half up.
 */
export function decimalToMicros(decimal: string): bigint {
  const match = DECIMAL.exec(decimal.trim());
  if (match === null) throw new Error(`"${decimal}" is not a decimal amount`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, 6).padEnd(6, '0');
  let micros = BigInt(whole) * 1_000_000n + BigInt(kept);
  if ((fraction[6] ?? '0') >= '5') micros += 1n;
  return sign === '-' ? -micros : micros;
}
