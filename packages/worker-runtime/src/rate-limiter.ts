// The fleet-wide rate limiter: counts calls per scope (an app, an ad account, an endpoint class) in Redis,
// so every worker process shares one budget. A call takes a unit from all its scopes at once or from none.
// When a platform throttles anyway, `block` pauses just that scope for as long as the platform asked.

import { whenConnected } from '@adsync/queues';
import type { Redis } from 'ioredis';

export interface LimitScope {
  /** e.g. `tiktok:app` or `meta:account:act_123`. */
  key: string;
  /** Calls per window; UNCOUNTED for a scope without a budget whose pauses (`block`) still apply. */
  limit: number;
  windowMs: number;
}

/** The limit of a scope that has no budget of ours but that a platform may still pause. */
export const UNCOUNTED = -1;

// KEYS: per scope, its window counter then its block key. ARGV: now, then limit and window per scope (a
// negative limit: uncounted, only its block applies). Returns 0 when taken, else milliseconds to wait.
const TAKE = `
local now = tonumber(ARGV[1])
local scopes = #KEYS / 2
local wait = 0
for i = 1, scopes do
  local blocked = tonumber(redis.call('get', KEYS[2 * i]) or '0')
  if blocked > now then wait = math.max(wait, blocked - now) end
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  if limit >= 0 and tonumber(redis.call('get', KEYS[2 * i - 1]) or '0') >= limit then
    wait = math.max(wait, window - (now % window))
  end
end
if wait > 0 then return wait end
for i = 1, scopes do
  if tonumber(ARGV[2 * i]) >= 0 then
    redis.call('incr', KEYS[2 * i - 1])
    redis.call('pexpire', KEYS[2 * i - 1], tonumber(ARGV[2 * i + 1]) * 2)
  end
end
return 0`;

const BLOCK = `
local blocked_until = tonumber(ARGV[1])
local current = tonumber(redis.call('get', KEYS[1]) or '0')
if blocked_until > current then redis.call('set', KEYS[1], blocked_until, 'px', tonumber(ARGV[2])) end
return 1`;

export interface RateLimiter {
  /** Takes one call from every scope, or says how long to wait; never waits itself. */
  take(scopes: readonly LimitScope[]): Promise<{ taken: true } | { taken: false; retryInMs: number }>;
  /** Waits until a call fits every scope (false when `maxWaitMs` passes first). */
  acquire(scopes: readonly LimitScope[], maxWaitMs: number): Promise<boolean>;
  /** The platform throttled this scope: nothing in it runs for `forMs`. */
  block(key: string, forMs: number): Promise<void>;
}

export function createRateLimiter(redis: Redis, prefix: string, now: () => number = Date.now): RateLimiter {
  const blockKey = (key: string) => `${prefix}:limit:${key}:blocked`;
  const limiter: RateLimiter = {
    async take(scopes) {
      if (scopes.length === 0) return { taken: true };
      await whenConnected(redis);
      const at = now();
      const keys = scopes.flatMap((scope) => [
        `${prefix}:limit:${scope.key}:${Math.floor(at / scope.windowMs)}`,
        blockKey(scope.key),
      ]);
      const args = [String(at), ...scopes.flatMap((scope) => [String(scope.limit), String(scope.windowMs)])];
      const wait = Number(await redis.eval(TAKE, keys.length, ...keys, ...args));
      return wait === 0 ? { taken: true } : { taken: false, retryInMs: wait };
    },
    async acquire(scopes, maxWaitMs) {
      const deadline = now() + maxWaitMs;
      for (;;) {
        const attempt = await limiter.take(scopes);
        if (attempt.taken) return true;
        if (now() + attempt.retryInMs > deadline) return false;
        // A little jitter so processes that waited on the same window do not all retry at its first instant.
        await new Promise((resolve) => setTimeout(resolve, attempt.retryInMs + Math.floor(Math.random() * 20)));
      }
    },
    async block(key, forMs) {
      if (forMs <= 0) return;
      await whenConnected(redis);
      await redis.eval(BLOCK, 1, blockKey(key), String(now() + forMs), String(forMs));
    },
  };
  return limiter;
}
