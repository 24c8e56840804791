// Field schemas shared by the apps' configuration. Each app composes the groups it needs.

import { parseAllowedHosts } from '@adsync/ssrf-guard';
import { z } from 'zod';
import { DEV_ENCRYPTION_KEYS, DEV_OAUTH_STATE_SECRET } from './dev-defaults.ts';

const portMessage = 'must be a port number from 0 to 65535';
const port = z.coerce
  .number({ error: portMessage })
  .int({ error: portMessage })
  .min(0, { error: portMessage })
  .max(65535, { error: portMessage });

function urlWithProtocols(protocols: readonly string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL such as ${example}` },
  );
}

export const runtimeFields = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty in development and test, JSON in production. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
};

export const databaseFields = {
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/adsync').default(
    'postgres://postgres@127.0.0.1:5432/adsync',
  ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

export const redisFields = {
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  /**
   * BullMQ key prefix. It must contain a `{hash tag}` so every key of every queue maps to one Redis
   * Cluster slot, which BullMQ's multi-key Lua scripts require.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*\{[A-Za-z0-9:_-]+\}[A-Za-z0-9:_-]*$/, {
      message: 'must contain one Redis Cluster hash tag in braces, e.g. {adsync} or {adsync-staging}',
    })
    .default('{adsync}'),
};

const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/;

export interface EncryptionKeyConfig {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * `ENCRYPTION_KEYS=newest:BASE64,older:BASE64`: the first key seals, every listed key opens. To rotate,
 * put a new key first, re-encrypt, then drop the old key once nothing is sealed with it.
 */
export const encryptionKeysField = z
  .string()
  .default(DEV_ENCRYPTION_KEYS)
  .transform((value, ctx): EncryptionKeyConfig[] => {
    const keys: EncryptionKeyConfig[] = [];
    for (const entry of value.split(',').map((part) => part.trim())) {
      const separator = entry.indexOf(':');
      const id = entry.slice(0, separator);
      const key = Buffer.from(entry.slice(separator + 1), 'base64');
      if (separator < 1 || !keyIdPattern.test(id) || key.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message:
            'each entry must be KEY_ID:BASE64_OF_32_BYTES (key id: letters, digits, _ or -); ' +
            "generate a key with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
        });
        return z.NEVER;
      }
      if (keys.some((existing) => existing.id === id)) {
        ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` });
        return z.NEVER;
      }
      keys.push({ id, key });
    }
    return keys;
  });

export const cryptoFields = {
  ENCRYPTION_KEYS: encryptionKeysField,
};

export const oauthStateFields = {
  /** HMAC-SHA256 key for OAuth `state`; at least 32 characters. */
  OAUTH_STATE_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).default(DEV_OAUTH_STATE_SECRET),
};

/**
 * The one way to run the public development defaults (dev keys and secrets, the simulator, the launcher's dev
 * operator and tenant key) on a PUBLIC_BASE_URL others can reach: a shared staging or demo that holds no real
 * brand's data. NODE_ENV=production refuses them whatever this says (dev-defaults-guard.ts).
 */
export const devDefaultsOptInFields = {
  ALLOW_DEV_DEFAULTS_ON_PUBLIC_URL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
};

export const shutdownFields = {
  /** How long a process waits for in-flight work on SIGTERM before it forces the exit. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
};

export const gatewayFields = {
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port.default(3000),
  /** The URL people and platforms use to reach the gateway (OAuth redirect URIs are built from it). */
  PUBLIC_BASE_URL: urlWithProtocols(['http:', 'https:'], 'https://adsync.example.com').default('http://localhost:3000'),
  /** Set when the gateway runs behind a proxy or load balancer that sets X-Forwarded-* headers. */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
};

const WINDOW_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

export interface RequestLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** `COUNT/WINDOW`, e.g. `20/10m`: at most COUNT in each window of WINDOW (s, m or h). */
function requestLimit(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx): RequestLimit => {
      const match = /^\s*(\d{1,9})\s*\/\s*(\d{1,6})\s*([smh])\s*$/.exec(value);
      const max = Number(match?.[1]);
      const windowMs = Number(match?.[2]) * WINDOW_UNITS_MS[(match?.[3] ?? 's') as keyof typeof WINDOW_UNITS_MS];
      if (match === null || max < 1 || windowMs < 1_000) {
        ctx.addIssue({
          code: 'custom',
          message: `must be COUNT/WINDOW with a window in s, m or h, e.g. ${fallback} (at least 1 per second)`,
        });
        return z.NEVER;
      }
      return { max, windowMs };
    });
}

/**
 * The gateway's own limits, counted in Redis so every replica shares them. Per client IP (behind a proxy,
 * set TRUST_PROXY so the IP is the client's): the sign-in pages and failed credentials. Per API key or
 * browser session: the API, and event ingest apart from it.
 */
export const gatewayRateLimitFields = {
  /** Sign-in requests (the sign-in form, login and connect links) per client IP. */
  RATE_LIMIT_SIGN_IN: requestLimit('30/1m'),
  /**
   * Failed credentials per client IP (an unknown API key, a wrong sign-in key or operator password, a dead
   * login or connect link); past it, that IP's credentials are not even checked until the window ends.
   */
  RATE_LIMIT_AUTH_FAILURES: requestLimit('20/10m'),
  /** API requests per API key or browser session (every /v1 route but event ingest). */
  RATE_LIMIT_API: requestLimit('1200/1m'),
  /** POST /v1/events requests per API key (each carries up to 1,000 events). */
  RATE_LIMIT_EVENTS: requestLimit('2000/1s'),
};

/**
 * The gateway's Prometheus endpoint, on a listener of its own: the public port never serves /metrics, so
 * the fleet's counters, route patterns and queue depths stay inside the cluster whatever the ingress does.
 */
export const gatewayMetricsFields = {
  GATEWAY_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_METRICS_PORT: port.default(3100),
};

/** Where adsync may send requests to URLs someone else chose (tenants' webhooks): see @adsync/ssrf-guard. */
export const outboundFields = {
  /**
   * Private hosts a tenant's webhook may still point at, for on-premises installs: host names, IP addresses
   * or CIDR ranges, comma-separated. Empty: only public addresses.
   */
  OUTBOUND_ALLOWED_PRIVATE_HOSTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseAllowedHosts(value);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `${(error as Error).message}; list host names, IP addresses or CIDR ranges, comma-separated`,
        });
        return z.NEVER;
      }
    }),
};

export const workerFields = (defaultHealthPort: number) => ({
  WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the worker's /healthz and /metrics server. */
  WORKER_HEALTH_PORT: port.default(defaultHealthPort),
  /** Jobs one worker process runs at once, per queue. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * How long a running job's lock lasts without renewal: a worker that dies (even by SIGKILL) has its jobs
   * handed to another worker within about twice this.
   */
  WORKER_JOB_LOCK_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /**
   * At most this many of one tenant's jobs run at once per queue, across every worker process: a tenant
   * with thousands of queued jobs cannot take all the workers from the others.
   */
  TENANT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(5),
});

/** When credentials are renewed and checked: the gateway plans a new connection's first check, workers
 * the ones after it (and renew a due token on demand). */
export const credentialTimingFields = {
  /** Refresh an expiring access token this long before it expires (Google, Klaviyo OAuth). */
  REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** How often credentials that cannot be refreshed (Meta, TikTok long-term, Klaviyo keys) are checked. */
  HEALTH_CHECK_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(86_400),
};

/** worker-refresh: the credential timing, and how often it looks for due connections. */
export const refreshFields = {
  ...credentialTimingFields,
  /** How often the sweep looks for due connections. */
  REFRESH_SWEEP_EVERY_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
};

/** When and how far back spend is pulled (worker-spend; the gateway's backfill uses the chunk size). */
export const spendFields = {
  /** How often the hourly tick fans out a sync of every selected ad account. */
  SPEND_HOURLY_EVERY_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  /** For this many hours after an account's local midnight, the hourly sync also re-reads yesterday. */
  SPEND_YESTERDAY_HOURS: z.coerce.number().int().min(0).max(23).default(4),
  /** The account's local hour from which its nightly restatement is due (0–23). */
  SPEND_NIGHTLY_LOCAL_HOUR: z.coerce.number().int().min(0).max(23).default(3),
  /** Days the nightly restatement re-reads per platform, unless a tenant set its own (1–90). */
  SPEND_LOOKBACK_META_DAYS: z.coerce.number().int().min(1).max(90).default(28),
  SPEND_LOOKBACK_GOOGLE_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  SPEND_LOOKBACK_TIKTOK_DAYS: z.coerce.number().int().min(1).max(90).default(3),
  /** A past day whose total moves by more than this share (percent) on restatement is recorded. */
  SPEND_RESTATEMENT_THRESHOLD_PERCENT: z.coerce.number().min(0).max(100).default(1),
  /** A backfill is split into jobs of this many days, most recent first. */
  SPEND_BACKFILL_CHUNK_DAYS: z.coerce.number().int().min(1).max(31).default(7),
  /** A Meta async report run whose progress stands still this long is split into smaller ranges. */
  META_REPORT_STALL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
};

export const klaviyoSyncFields = {
  /** How often worker-klaviyo syncs the lists, segments (with their members) and catalog items of every live Klaviyo connection. */
  KLAVIYO_SYNC_EVERY_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
};

export const eventFields = {
  /** Event ids are remembered this long per destination; a repeat within it is dropped (the platforms dedup over 48 h). */
  EVENTS_DEDUP_HOURS: z.coerce.number().int().min(1).max(168).default(48),
  /** A destination's first new events wait this long for more before they are sent as one batch. */
  EVENTS_LINGER_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  /** Events per request to a platform; 1,000 is both Meta's and TikTok's maximum. */
  EVENTS_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(1_000),
};

const budget = z.object({ limit: z.number().int().min(1), windowMs: z.number().int().min(1) });
/** One window, or several (a burst and a steady window, as Klaviyo has). */
const budgets = z.union([budget, z.array(budget).min(1)]);
const platformBudgets = z.object({
  app: budgets.optional(),
  endpoint: budgets.optional(),
  account: budgets.optional(),
  /** Per account and endpoint together (Klaviyo limits each endpoint of each account apart). */
  accountEndpoint: budgets.optional(),
});
const rateLimits = z.object({
  meta: platformBudgets.optional(),
  google: platformBudgets.optional(),
  tiktok: platformBudgets.optional(),
  klaviyo: platformBudgets.optional(),
  /** Conversion events (Meta Conversions API), budgeted apart from the Marketing API calls. */
  meta_events: platformBudgets.optional(),
  /** TikTok Events API (`/event/track/`: 1,000 QPS at every tier). */
  tiktok_events: platformBudgets.optional(),
  /** Klaviyo's rate tiers (providers.md §4.3): each endpoint of each account has its tier's two windows. */
  klaviyo_xs: platformBudgets.optional(),
  klaviyo_s: platformBudgets.optional(),
  klaviyo_m: platformBudgets.optional(),
  klaviyo_l: platformBudgets.optional(),
  klaviyo_xl: platformBudgets.optional(),
});
export type RateLimitsConfig = z.output<typeof rateLimits>;

/**
 * Defaults below each platform's published limits (providers.md §6) so adsync throttles itself first:
 * Meta 40 calls/s per app and 4,000/h per ad account; Google 40/s per developer token and 500/min per
 * customer; TikTok 8/s per app endpoint (the basic tier allows 10); Klaviyo 2/s per account for connection
 * checks, and its endpoint tiers (`klaviyo_xs` … `klaviyo_xl`) at 80 % for syncs. Conversion
 * events have their own budgets: Meta's Conversions API 200 requests/s per app (Meta publishes no figure; a
 * request carries up to 1,000 events), TikTok's Events API 800/s (its limit is 1,000 QPS).
 */
export const DEFAULT_RATE_LIMITS: RateLimitsConfig = {
  meta: { app: { limit: 40, windowMs: 1_000 }, account: { limit: 4_000, windowMs: 3_600_000 } },
  google: { app: { limit: 40, windowMs: 1_000 }, account: { limit: 500, windowMs: 60_000 } },
  tiktok: { endpoint: { limit: 8, windowMs: 1_000 } },
  klaviyo: { account: { limit: 2, windowMs: 1_000 } },
  meta_events: { app: { limit: 200, windowMs: 1_000 } },
  tiktok_events: { app: { limit: 800, windowMs: 1_000 } },
  ...klaviyoTiers(),
};

/** Klaviyo's published tiers (burst per second, steady per minute) at 80 %, so adsync throttles itself first. */
function klaviyoTiers(): RateLimitsConfig {
  const tier = (burst: number, steady: number) => ({
    accountEndpoint: [
      { limit: Math.max(1, Math.floor(burst * 0.8)), windowMs: 1_000 },
      { limit: Math.max(1, Math.floor(steady * 0.8)), windowMs: 60_000 },
    ],
  });
  return {
    klaviyo_xs: tier(1, 15),
    klaviyo_s: tier(3, 60),
    klaviyo_m: tier(10, 150),
    klaviyo_l: tier(75, 700),
    klaviyo_xl: tier(350, 3_500),
  };
}

export const rateLimitFields = {
  /**
   * JSON: per platform, budgets per scope (`app`, `endpoint`, `account`) as {limit, windowMs}; replaces the
   * defaults platform by platform, e.g. {"tiktok":{"endpoint":{"limit":5,"windowMs":1000}}}.
   */
  RATE_LIMITS: z
    .string()
    .default('{}')
    .transform((value, ctx): RateLimitsConfig => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be JSON, e.g. {"tiktok":{"endpoint":{"limit":5,"windowMs":1000}}}',
        });
        return z.NEVER;
      }
      const result = rateLimits.safeParse(parsed);
      if (!result.success) {
        ctx.addIssue({
          code: 'custom',
          message: `is not valid: ${result.error.issues[0]?.message ?? 'unexpected shape'}`,
        });
        return z.NEVER;
      }
      return { ...DEFAULT_RATE_LIMITS, ...result.data };
    }),
};
