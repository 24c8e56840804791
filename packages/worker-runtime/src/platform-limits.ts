// Which scopes a platform call counts against, and their budgets (RATE_LIMITS). Scopes follow how each
// platform limits (providers.md §6): Meta per app and per ad account, Google per developer token and per
// customer, TikTok per app and endpoint, Klaviyo per account.

import type { RateLimitsConfig } from '@adsync/config';
import { Counter, type Registry } from 'prom-client';
import type { LimitScope, RateLimiter } from './rate-limiter.ts';

export interface PlatformCall {
  provider: string;
  /** e.g. `token`, `report`, `events`: TikTok and Klaviyo limit per endpoint. */
  endpoint: string;
  /** The ad account (or Klaviyo account) the call is for, when it has one. */
  account?: string;
}

export function scopesFor(limits: RateLimitsConfig, call: PlatformCall): LimitScope[] {
  const platform = limits[call.provider as keyof RateLimitsConfig];
  if (platform === undefined) return [];
  const scopes: LimitScope[] = [];
  if (platform.app !== undefined) scopes.push({ key: `${call.provider}:app`, ...platform.app });
  if (platform.endpoint !== undefined) {
    scopes.push({ key: `${call.provider}:endpoint:${call.endpoint}`, ...platform.endpoint });
  }
  if (platform.account !== undefined && call.account !== undefined) {
    scopes.push({ key: `${call.provider}:account:${call.account}`, ...platform.account });
  }
  return scopes;
}

/** The limiter as platform callers use it: wait for room before a call, report the platform's throttles. */
export interface PlatformLimiter {
  /** Waits for room in every scope of the call; false when that would take longer than `maxWaitMs`. */
  before(call: PlatformCall, maxWaitMs: number): Promise<boolean>;
  /** The platform throttled the call: pause its narrowest scope (the account when there is one). */
  throttled(call: PlatformCall, retryAfterMs: number): Promise<void>;
}

export function createPlatformLimiter(
  limiter: RateLimiter,
  limits: RateLimitsConfig,
  registry?: Registry,
): PlatformLimiter {
  const waited =
    registry === undefined
      ? undefined
      : new Counter({
          name: 'adsync_limiter_wait_seconds_total',
          help: 'Seconds platform calls spent waiting for room under the shared rate limiter, by provider.',
          labelNames: ['provider'],
          registers: [registry],
        });
  return {
    async before(call, maxWaitMs) {
      const started = Date.now();
      const acquired = await limiter.acquire(scopesFor(limits, call), maxWaitMs);
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 0.001) waited?.inc({ provider: call.provider }, seconds);
      return acquired;
    },
    async throttled(call, retryAfterMs) {
      const key =
        call.account !== undefined
          ? `${call.provider}:account:${call.account}`
          : `${call.provider}:endpoint:${call.endpoint}`;
      await limiter.block(key, retryAfterMs);
    },
  };
}
