// Rate limits (DESIGN §7): for each platform, many syncs at once press on the fleet's limiter, built as every
// worker builds it (refreshDepsFrom: RATE_LIMITS parsed by the worker config, one Redis budget per scope), and
// call the simulator through the real spend and Klaviyo sync code. Reported per platform: the request rate
// the platform saw over whole seconds, beside the configured budget (the ceiling), the busiest second, and
// how many throttles (429s, Meta's and TikTok's throttling codes) the platform sent back.
// argv[2]: seconds measured per platform (default 15), after a 2-second warm-up. Keep it under ~45 s: past
// that, Klaviyo's 700/min steady window reaches 75 % and the fleet rightly slows down for it.
// The platform side is observed through a recording proxy (bench/lib/recording-proxy.ts).
// Needs Postgres and Redis (DATABASE_URL / REDIS_URL, local defaults); leaves nothing behind.

import { randomUUID } from 'node:crypto';
import {
  DEV_ENCRYPTION_KEYS,
  parseEnv,
  processEnvironment,
  type RateLimitsConfig,
  resolveProviders,
  workerConfigSchema,
} from '@adsync/config';
import {
  connectForTest,
  refreshDepsFrom,
  sealedApiKeyColumns,
  sealedTokenColumns,
  simulatorPlatforms,
} from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import {
  createTenant,
  type DiscoveredAdAccount,
  insertConnection,
  type SpendProvider,
  updateConnection,
  upsertAdAccounts,
} from '@adsync/db';
import { syncKlaviyo } from '@adsync/klaviyo';
import { createMetricsRegistry } from '@adsync/metrics';
import type { TokenSet } from '@adsync/providers';
import { deleteKeysWithPrefix } from '@adsync/queues';
import { KLAVIYO_ACCOUNT, KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import { createSpendReaders, type SpendSyncDeps, syncHourlySpend } from '@adsync/spend';
import { RetryLaterError, type WorkerDeps } from '@adsync/worker-runtime';
import { createBenchContext } from './lib/bench-context.ts';
import { type BenchRow, printTable } from './lib/print-table.ts';
import { startRecordingProxy } from './lib/recording-proxy.ts';

const [{ key: KLAVIYO_KEY }] = KLAVIYO_PRIVATE_KEYS;
const SECONDS = Number(process.argv[2] ?? 15);
const WARM_UP_MS = 2_000;
/** Syncs running at once per platform: each could send far more than its platform's budget on its own. */
const SYNCS = 24;

// The platforms as they publish their limits (the simulator's defaults, spelled out so the notes stay true).
// Meta's budgets are hourly: a run of seconds uses a few percent of them.
const SIMULATOR_OPTIONS = {
  meta: { callsPerAccountPerHour: 5_000, callsPerAppPerHour: 200_000, asyncRunMilliseconds: 100 },
  google: { requestsPerCustomerPerMinute: 600 },
  tiktok: { requestsPerSecond: 10 },
  klaviyo: { rateLimitDivisor: 1 },
};

// adsync's shipped budgets (DEFAULT_RATE_LIMITS) for Meta, Google and TikTok. Klaviyo's shipped tier budgets
// pair a 1-second burst with a 1-minute steady window, which a run of seconds cannot measure as a rate; the
// run gives tier L one 1-second window instead, 10/s (600/min, under Klaviyo's 700/min).
const RATE_LIMITS: RateLimitsConfig = {
  klaviyo_l: { accountEndpoint: { limit: 10, windowMs: 1_000 } },
};

const context = await createBenchContext(SIMULATOR_OPTIONS);
const proxy = await startRecordingProxy(context.simulatorUrl);
const config = parseEnv(workerConfigSchema(0), {
  ...processEnvironment(),
  ENCRYPTION_KEYS: DEV_ENCRYPTION_KEYS,
  QUEUE_PREFIX: context.prefix,
  PROVIDERS_TARGET: 'simulator',
  // Every platform call of the run goes through the proxy; set-up (consent, discovery) goes straight through.
  SIMULATOR_URL: proxy.url,
  RATE_LIMITS: JSON.stringify(RATE_LIMITS),
});
const { db } = context;
const deps: WorkerDeps = {
  db,
  producer: context.producer,
  logger: context.logger,
  redis: context.redis,
  config,
  metrics: createMetricsRegistry('bench-rate-limits'),
};
// As worker-spend and worker-klaviyo build theirs: one refresh deps (and so one limiter) per process.
const refresh = refreshDepsFrom(deps);
const settings = resolveProviders(config).settings;
const spend: SpendSyncDeps = {
  db,
  refresh,
  readers: createSpendReaders(settings, { metaStallMs: config.META_REPORT_STALL_SECONDS * 1000 }),
  restatementThresholdPercent: config.SPEND_RESTATEMENT_THRESHOLD_PERCENT,
  logger: context.logger,
};
const klaviyo = { db, refresh, settings: settings.klaviyo, logger: context.logger };
const keyring = createKeyring(config.ENCRYPTION_KEYS);
const setupPlatforms = simulatorPlatforms(context.simulatorUrl);

/** The one 1-second budget of a scope, as requests per second; the run measures nothing else. */
function perSecond(budgets: unknown, name: string): number {
  const windows = (Array.isArray(budgets) ? budgets : [budgets]) as ({ limit: number; windowMs: number } | undefined)[];
  const second = windows.find((window) => window?.windowMs === 1_000);
  if (second === undefined) throw new Error(`RATE_LIMITS has no 1-second budget for ${name}`);
  return second.limit;
}

interface Scenario {
  platform: 'meta' | 'google' | 'tiktok' | 'klaviyo';
  /** The provider the limiter counts the calls under (Klaviyo's tiers are providers of their own). */
  limiterProvider: string;
  /** The budget that binds, as the table names it. */
  budget: string;
  limitPerSecond: number;
  /** What the simulated platform itself allows. */
  platformLimit: string;
  /** Sets up the `index`th sync's connection; returns the sync, which each loop runs again and again. */
  prepare(index: number): Promise<() => Promise<{ kind: string }>>;
}

/**
 * A connection of its own (own tenant) per sync, each on one of the accounts the grant reaches. One real
 * grant per platform, sealed into every connection: 24 code exchanges in a row would meet TikTok's QPS limit.
 */
function spendScenario(provider: SpendProvider): (index: number) => Promise<() => Promise<{ kind: string }>> {
  let grant: Promise<{ tokens: TokenSet; accounts: DiscoveredAdAccount[] }> | undefined;
  const connect = async () => {
    const { tokens } = await connectForTest(db, setupPlatforms, provider, { keyring });
    const discovered = await setupPlatforms.oauth(provider).listAccounts(tokens);
    if (!discovered.ok) throw new Error(discovered.error.message);
    if (discovered.value.length === 0) throw new Error(`the ${provider} grant reaches no account`);
    return { tokens, accounts: discovered.value };
  };
  return async (index) => {
    grant ??= connect();
    const { tokens, accounts } = await grant;
    const account = accounts[index % accounts.length] as DiscoveredAdAccount;
    const tenant = await createTenant(db, { name: 'bench rate limits' });
    const key = { tenantId: tenant.id, connectionId: randomUUID() };
    await insertConnection(db, {
      id: key.connectionId,
      tenant_id: key.tenantId,
      provider,
      auth_method: 'oauth',
      status: 'active',
    });
    await updateConnection(db, key, { ...sealedTokenColumns(keyring, key, tokens), last_refreshed_at: new Date() });
    await upsertAdAccounts(db, { ...key, provider }, [account], () => true);
    const { id } = await db
      .selectFrom('ad_accounts')
      .select('id')
      .where('tenant_id', '=', key.tenantId)
      .where('external_id', '=', account.externalId)
      .executeTakeFirstOrThrow();
    return () =>
      syncHourlySpend(spend, {
        tenantId: key.tenantId,
        adAccountId: id,
        yesterdayHours: config.SPEND_YESTERDAY_HOURS,
        jobId: null,
      });
  };
}

/** A private-key connection per sync, all on the simulator's one Klaviyo account (one budget, there and here). */
async function klaviyoSync(): Promise<() => Promise<{ kind: string }>> {
  const tenant = await createTenant(db, { name: 'bench rate limits' });
  const key = { tenantId: tenant.id, connectionId: randomUUID() };
  await insertConnection(db, {
    id: key.connectionId,
    tenant_id: key.tenantId,
    provider: 'klaviyo',
    auth_method: 'api_key',
    status: 'active',
  });
  await upsertAdAccounts(
    db,
    { ...key, provider: 'klaviyo' },
    [
      {
        externalId: KLAVIYO_ACCOUNT.id,
        name: KLAVIYO_ACCOUNT.organizationName,
        currency: KLAVIYO_ACCOUNT.preferredCurrency,
        timezone: KLAVIYO_ACCOUNT.timezone,
        managerExternalId: null,
      },
    ],
    () => true,
  );
  await updateConnection(db, key, {
    ...sealedApiKeyColumns(keyring, key, KLAVIYO_KEY),
    public_key: KLAVIYO_ACCOUNT.publicApiKey,
    next_refresh_at: new Date(Date.now() + 86_400_000),
  });
  // Lists: two pages per sync, both on the `lists` endpoint (tier L).
  return () => syncKlaviyo(klaviyo, { ...key, scope: 'lists' });
}

const limits = config.RATE_LIMITS;
const scenarios: Scenario[] = [
  {
    platform: 'meta',
    limiterProvider: 'meta',
    budget: 'Meta, app budget (Insights reads)',
    limitPerSecond: perSecond(limits.meta?.app, 'meta.app'),
    platformLimit: `Meta's hourly budgets: ${SIMULATOR_OPTIONS.meta.callsPerAccountPerHour.toLocaleString('en')}/h per ad account, ${SIMULATOR_OPTIONS.meta.callsPerAppPerHour.toLocaleString('en')}/h per app`,
    prepare: spendScenario('meta'),
  },
  {
    platform: 'google',
    limiterProvider: 'google',
    budget: 'Google, developer-token budget (searches)',
    limitPerSecond: perSecond(limits.google?.app, 'google.app'),
    platformLimit: `Google: ${SIMULATOR_OPTIONS.google.requestsPerCustomerPerMinute}/min per customer`,
    prepare: spendScenario('google'),
  },
  {
    platform: 'tiktok',
    limiterProvider: 'tiktok',
    budget: 'TikTok, report endpoint budget',
    limitPerSecond: perSecond(limits.tiktok?.endpoint, 'tiktok.endpoint'),
    platformLimit: `TikTok: ${SIMULATOR_OPTIONS.tiktok.requestsPerSecond}/s per app and endpoint`,
    prepare: spendScenario('tiktok'),
  },
  {
    platform: 'klaviyo',
    limiterProvider: 'klaviyo_l',
    budget: 'Klaviyo, tier L per account and endpoint (lists)',
    limitPerSecond: perSecond(limits.klaviyo_l?.accountEndpoint, 'klaviyo_l.accountEndpoint'),
    platformLimit: 'Klaviyo tier L: 75/s burst, 700/min steady per account and endpoint',
    prepare: klaviyoSync,
  },
];

/** Seconds platform calls of `provider` have waited for room under the limiter so far (its own metric). */
async function waitedSeconds(provider: string): Promise<number> {
  const metric = await deps.metrics.getSingleMetric('adsync_limiter_wait_seconds_total')?.get();
  return (metric?.values ?? [])
    .filter((value) => value.labels.provider === provider)
    .reduce((sum, value) => sum + value.value, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function press(scenario: Scenario): Promise<BenchRow> {
  console.log(`rate limits: ${scenario.platform}, ${SYNCS} syncs at once for ${SECONDS} s…`);
  const syncs = [];
  for (let index = 0; index < SYNCS; index += 1) syncs.push(await scenario.prepare(index));
  const firstRequest = proxy.requests.length;
  const waitedBefore = await waitedSeconds(scenario.limiterProvider);
  const started = Date.now();
  // Whole seconds after the warm-up: the limiter's windows are whole seconds of the same clock.
  const from = Math.ceil((Date.now() + WARM_UP_MS) / 1000) * 1000;
  const to = from + SECONDS * 1000;
  const outcomes = { synced: 0, postponed: 0, failed: 0 };
  let lastFailure = '';
  await Promise.all(
    syncs.map(async (sync) => {
      while (Date.now() < to) {
        try {
          const outcome = await sync();
          if (outcome.kind === 'synced') outcomes.synced += 1;
          else {
            outcomes.failed += 1;
            lastFailure = JSON.stringify(outcome);
          }
        } catch (error) {
          // A postponed job comes back after its delay, as the queue would bring it back.
          if (error instanceof RetryLaterError) {
            outcomes.postponed += 1;
            await sleep(Math.min(error.delayMs, to - Date.now()));
          } else {
            outcomes.failed += 1;
            lastFailure = error instanceof Error ? error.message : String(error);
            await sleep(200);
          }
        }
      }
    }),
  );
  // How much of the syncs' time went to waiting for the limiter: the demand the budget held back.
  const waitedShare =
    ((await waitedSeconds(scenario.limiterProvider)) - waitedBefore) / ((SYNCS * (Date.now() - started)) / 1000);
  const seen = proxy.requests.slice(firstRequest).filter((request) => request.platform === scenario.platform);
  const perSecondCounts = new Map<number, number>();
  for (const request of seen) {
    if (request.at < from || request.at >= to) continue;
    const second = Math.floor(request.at / 1000);
    perSecondCounts.set(second, (perSecondCounts.get(second) ?? 0) + 1);
  }
  const measured = [...perSecondCounts.values()].reduce((sum, count) => sum + count, 0);
  const peak = Math.max(0, ...perSecondCounts.values());
  const throttles = seen.filter((request) => request.throttled).length;
  const failures = outcomes.failed > 0 ? ` (last: ${lastFailure.slice(0, 200)})` : '';
  return {
    scenario: `rate limits: ${scenario.budget}`,
    figure: measured / SECONDS,
    ceiling: scenario.limitPerSecond,
    unit: 'req/s',
    note:
      `${throttles} throttles from the platform (${scenario.platformLimit}); ` +
      `busiest second ${peak}; ${SYNCS} syncs at once, ${Math.round(100 * waitedShare)}% of their time waiting for the limiter: ${outcomes.synced} synced, ` +
      `${outcomes.postponed} postponed, ${outcomes.failed} failed${failures}`,
  };
}

const rows: BenchRow[] = [];
try {
  for (const scenario of scenarios) rows.push(await press(scenario));
  printTable(rows);
} finally {
  await proxy.close();
  await deleteKeysWithPrefix(context.redis, context.prefix);
  await context.close(['refresh', 'webhooks']);
}
