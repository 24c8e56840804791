// Which scopes a platform call counts against, and their budgets (RATE_LIMITS). Scopes follow how each
// platform limits (providers.md §6): Meta per app and per ad account, Google per developer token and per
// customer, TikTok per app and endpoint, Klaviyo per account and, by tier, per endpoint of each account. A
// scope may have several windows (Klaviyo's burst and steady); a call counts in each, and a throttle pauses
// them all (they share the scope's key).

import type { RateLimitsConfig } from '@adsync/config';
import { Counter, type Registry } from 'prom-client';
import { type LimitScope, type RateLimiter, UNCOUNTED } from './rate-limiter.ts';

export interface PlatformCall {
  provider: string;
  /** e.g. `token`, `report`, `events`: TikTok and Klaviyo limit per endpoint. */
  endpoint: string;
  /** The ad account (or Klaviyo account) the call is for, when it has one. */
  account?: string;
}

type Budgets = { limit: number; windowMs: number } | readonly { limit: number; windowMs: number }[];

/** One scope per window: a scope with a burst and a steady window counts a call in both. */
function windowsOf(key: string, budgets: Budgets): LimitScope[] {
  return (Array.isArray(budgets) ? budgets : [budgets]).map((budget) => ({ key, ...budget }));
}

/**
 * Every scope the call counts against, and every other scope a platform signal could pause for it (app,
 * endpoint, account, account endpoint): a platform may throttle a scope we keep no budget for (TikTok's
 * app-wide 40100 while we budget per endpoint), and that pause must still hold the call back.
 */
export function scopesFor(limits: RateLimitsConfig, call: PlatformCall): LimitScope[] {
  const scopes = budgetedScopesFor(limits, call);
  const pausable = [`${call.provider}:app`, `${call.provider}:endpoint:${call.endpoint}`];
  if (call.account !== undefined) pausable.push(`${call.provider}:account:${call.account}`, accountEndpointKey(call));
  for (const key of pausable) {
    if (!scopes.some((scope) => scope.key === key)) scopes.push({ key, limit: UNCOUNTED, windowMs: 1_000 });
  }
  return scopes;
}

function budgetedScopesFor(limits: RateLimitsConfig, call: PlatformCall): LimitScope[] {
  const platform = limits[call.provider as keyof RateLimitsConfig];
  if (platform === undefined) return [];
  const scopes: LimitScope[] = [];
  if (platform.app !== undefined) scopes.push(...windowsOf(`${call.provider}:app`, platform.app));
  if (platform.endpoint !== undefined) {
    scopes.push(...windowsOf(`${call.provider}:endpoint:${call.endpoint}`, platform.endpoint));
  }
  if (platform.account !== undefined && call.account !== undefined) {
    scopes.push(...windowsOf(`${call.provider}:account:${call.account}`, platform.account));
  }
  if (platform.accountEndpoint !== undefined && call.account !== undefined) {
    scopes.push(...windowsOf(accountEndpointKey(call), platform.accountEndpoint));
  }
  return scopes;
}

function accountEndpointKey(call: PlatformCall): string {
  return `${call.provider}:account:${call.account}:endpoint:${call.endpoint}`;
}

/** Which budget a platform signal is about: the whole app, one account, one endpoint class, or one endpoint of
 * one account (Klaviyo). */
export type SignalScope = 'app' | 'account' | 'endpoint' | 'accountEndpoint';

/** What a platform said of a budget (Meta's usage headers, Klaviyo's RateLimit-*). */
export interface PlatformUsage {
  scope: SignalScope;
  /** 0–100 (and over): how much of the budget is used. */
  percentUsed: number;
  /** When the platform says access returns, in ms from now. */
  regainAccessInMs?: number;
}

/** Usage from which calls in the scope slow down, and the pause at 100 % when the platform gives no time. */
export const SLOW_DOWN_FROM_PERCENT = 75;
const PAUSE_AT_FULL_MS = 60_000;

/**
 * How long to pause a scope at a reported usage: nothing below 75 %, then a pause growing to a minute at
 * 100 %, so the fleet eases off before the platform throttles; at 100 % or with a regain time, until the
 * platform says access returns.
 */
export function pauseForUsage(usage: PlatformUsage): number {
  if (usage.regainAccessInMs !== undefined && usage.regainAccessInMs > 0) return usage.regainAccessInMs;
  if (usage.percentUsed < SLOW_DOWN_FROM_PERCENT) return 0;
  const share = Math.min(1, (usage.percentUsed - SLOW_DOWN_FROM_PERCENT) / (100 - SLOW_DOWN_FROM_PERCENT));
  return Math.round(share * share * PAUSE_AT_FULL_MS);
}

/** The limiter as platform callers use it: wait for room before a call, report the platform's throttles. */
export interface PlatformLimiter {
  /** Waits for room in every scope of the call; false when that would take longer than `maxWaitMs`. */
  before(call: PlatformCall, maxWaitMs: number): Promise<boolean>;
  /**
   * The platform throttled the call: pause the scope it names, or the narrowest one (the account when
   * there is one, else the endpoint).
   */
  throttled(call: PlatformCall, retryAfterMs: number, scope?: SignalScope): Promise<void>;
  /** The platform reported how much of a budget is used: past 75 %, the scope slows down for everyone. */
  usage(call: PlatformCall, usage: PlatformUsage): Promise<void>;
}

/** The limiter key a signal about `scope` pauses; the account falls back to the endpoint without one. */
function signalKey(call: PlatformCall, scope: SignalScope | undefined): string {
  if (scope === 'app') return `${call.provider}:app`;
  if (scope === 'accountEndpoint' && call.account !== undefined) return accountEndpointKey(call);
  if (scope !== 'endpoint' && call.account !== undefined) return `${call.provider}:account:${call.account}`;
  return `${call.provider}:endpoint:${call.endpoint}`;
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
    async throttled(call, retryAfterMs, scope) {
      await limiter.block(signalKey(call, scope), retryAfterMs);
    },
    async usage(call, usage) {
      const pauseMs = pauseForUsage(usage);
      if (pauseMs > 0) await limiter.block(signalKey(call, usage.scope), pauseMs);
    },
  };
}
