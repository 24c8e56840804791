// Klaviyo's per-endpoint rate tiers: a 1-second burst window and a 1-minute steady window, both fixed,
// counted per account for private keys and per app install for OAuth, on the simulator's clock.

export const RATE_TIERS = {
  XS: { burst: 1, steady: 15 },
  S: { burst: 3, steady: 60 },
  M: { burst: 10, steady: 150 },
  // providers.md §4.3 gives 700/m; the v23 SDK's doc comments say 750/m. The brief pins §4.3.
  L: { burst: 75, steady: 700 },
  XL: { burst: 350, steady: 3500 },
} as const;

export type RateTier = keyof typeof RATE_TIERS;

export type RateDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; retryAfterSeconds: number };

interface Window {
  burstStart: number;
  burstCount: number;
  steadyStart: number;
  steadyCount: number;
}

export function createRateLimiter(now: () => number, divisor: () => number) {
  const windows = new Map<string, Window>();
  const limitsOf = (tier: RateTier) => ({
    burst: Math.max(1, Math.floor(RATE_TIERS[tier].burst / divisor())),
    steady: Math.max(1, Math.floor(RATE_TIERS[tier].steady / divisor())),
  });

  return {
    /** Counts one request of `quota` (who is calling) on `route` (which endpoint) if it is within limits. */
    take(quota: string, route: string, tier: RateTier): RateDecision {
      const at = now();
      const burstStart = Math.floor(at / 1000) * 1000;
      const steadyStart = Math.floor(at / 60_000) * 60_000;
      const key = `${quota}|${route}`;
      const window = windows.get(key) ?? { burstStart, burstCount: 0, steadyStart, steadyCount: 0 };
      if (window.burstStart !== burstStart) Object.assign(window, { burstStart, burstCount: 0 });
      if (window.steadyStart !== steadyStart) Object.assign(window, { steadyStart, steadyCount: 0 });
      windows.set(key, window);

      const limits = limitsOf(tier);
      const steadyReset = Math.max(1, Math.ceil((steadyStart + 60_000 - at) / 1000));
      if (window.steadyCount >= limits.steady) return { allowed: false, retryAfterSeconds: steadyReset };
      if (window.burstCount >= limits.burst) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((burstStart + 1000 - at) / 1000)) };
      }
      window.burstCount++;
      window.steadyCount++;
      return {
        allowed: true,
        limit: limits.steady,
        remaining: limits.steady - window.steadyCount,
        resetSeconds: steadyReset,
      };
    },
    reset(): void {
      windows.clear();
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
