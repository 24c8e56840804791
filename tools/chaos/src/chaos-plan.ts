// How hard and how long a chaos run shakes the fleet. `short` is what CI runs (about four minutes in all);
// `long` is for people before a release. Every fault of the issue happens in both: workers SIGKILLed
// over and over, Redis restarted (AOF on), Postgres stopped for 30 seconds.

export interface ChaosPlan {
  readonly name: 'short' | 'long';
  /** How long load runs and faults are injected. */
  readonly chaosMs: number;
  /** A random worker process is SIGKILLed this often, and started again a moment later. */
  readonly killEveryMs: number;
  /** When Redis is restarted (from the start of the chaos window). */
  readonly redisRestartsAtMs: readonly number[];
  /** When Postgres is stopped, each time for `postgresDownMs`. */
  readonly postgresStopsAtMs: readonly number[];
  readonly postgresDownMs: number;
  /** After the chaos window, how long the fleet may take to finish everything it accepted. */
  readonly settleTimeoutMs: number;
  /** Connections per rotating-or-not refreshing platform (Google, TikTok, Klaviyo OAuth). */
  readonly refreshingConnectionsPerPlatform: number;
  /** Conversion events per request and requests per second the storefront sends. */
  readonly eventsPerRequest: number;
  readonly requestsPerSecond: number;
  /** Past days of spend each ad account backfills during the run. */
  readonly backfillDays: number;
}

export const CHAOS_PLANS: Record<ChaosPlan['name'], ChaosPlan> = {
  short: {
    name: 'short',
    chaosMs: 100_000,
    killEveryMs: 7_000,
    redisRestartsAtMs: [20_000],
    postgresStopsAtMs: [45_000],
    postgresDownMs: 30_000,
    settleTimeoutMs: 150_000,
    refreshingConnectionsPerPlatform: 12,
    eventsPerRequest: 20,
    requestsPerSecond: 10,
    backfillDays: 7,
  },
  long: {
    name: 'long',
    chaosMs: 600_000,
    killEveryMs: 5_000,
    redisRestartsAtMs: [60_000, 240_000, 450_000],
    postgresStopsAtMs: [150_000, 360_000],
    postgresDownMs: 30_000,
    settleTimeoutMs: 300_000,
    refreshingConnectionsPerPlatform: 60,
    eventsPerRequest: 50,
    requestsPerSecond: 20,
    backfillDays: 28,
  },
};

/** Token lifetimes short enough that every refreshing connection refreshes several times in a run. */
export const SIMULATOR_OPTIONS = {
  meta: { asyncRunMilliseconds: 300 },
  google: { accessTokenSeconds: 40, requestsPerCustomerPerMinute: 100_000 },
  tiktok: { accessTokenSeconds: 40, requestsPerSecond: 10_000 },
  klaviyo: { accessTokenSeconds: 40 },
};
