// RefreshDeps from what a worker app's runtime hands its handlers: every worker that calls a platform
// (refresh, spend, events, Klaviyo) builds them the same way, so they share one single-flight lock and one
// fleet-wide limiter per platform.

import { resolveProviders } from '@adsync/config';
import { createKeyring } from '@adsync/crypto';
import {
  createPlatformLimiter,
  createRateLimiter,
  type PlatformLimiter,
  type WorkerDeps,
} from '@adsync/worker-runtime';
import { createPlatformClients } from '../platform-clients.ts';
import type { RefreshDeps } from './refresh-connection.ts';
import { registerRefreshMetrics } from './refresh-metrics.ts';
import { refreshTimingFrom } from './refresh-policy.ts';
import { createSingleFlight } from './single-flight.ts';
import { createTokenStash } from './token-stash.ts';

/** Build once per process: the limiter registers its wait metric in the app's registry. */
export function refreshDepsFrom(deps: WorkerDeps): RefreshDeps & { limiter: PlatformLimiter } {
  const { config } = deps;
  const keyring = createKeyring(config.ENCRYPTION_KEYS);
  return {
    db: deps.db,
    producer: deps.producer,
    keyring,
    platforms: createPlatformClients(resolveProviders(config)),
    // As long as a job's own lock: when a worker dies mid-refresh, its job and its connection lock free up
    // together, and the job's next run can refresh.
    singleFlight: createSingleFlight(deps.redis, {
      keyPrefix: config.QUEUE_PREFIX,
      lockMs: config.WORKER_JOB_LOCK_SECONDS * 1000,
    }),
    tokenStash: createTokenStash(deps.redis, keyring, { keyPrefix: config.QUEUE_PREFIX }),
    timing: refreshTimingFrom(config),
    logger: deps.logger,
    metrics: registerRefreshMetrics(deps.metrics, deps.db),
    limiter: createPlatformLimiter(
      createRateLimiter(deps.redis, config.QUEUE_PREFIX),
      config.RATE_LIMITS,
      deps.metrics,
    ),
  };
}
