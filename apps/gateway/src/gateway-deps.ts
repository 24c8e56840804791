// What the gateway needs, built once by main.ts (or a test) and handed to buildApp.

import type { GatewayConfig } from '@adsync/config';
import type { PlatformClients } from '@adsync/connections';
import type { Keyring } from '@adsync/crypto';
import type { Db } from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { Registry } from '@adsync/metrics';
import type { QueueProducer } from '@adsync/queues';
import type { Redis } from 'ioredis';

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    | 'NODE_ENV'
    | 'PUBLIC_BASE_URL'
    | 'TRUST_PROXY'
    | 'RATE_LIMIT_SIGN_IN'
    | 'RATE_LIMIT_AUTH_FAILURES'
    | 'RATE_LIMIT_API'
    | 'RATE_LIMIT_EVENTS'
    | 'OUTBOUND_ALLOWED_PRIVATE_HOSTS'
    | 'OAUTH_STATE_SECRET'
    | 'SPEND_LOOKBACK_META_DAYS'
    | 'SPEND_LOOKBACK_GOOGLE_DAYS'
    | 'SPEND_LOOKBACK_TIKTOK_DAYS'
    | 'SPEND_BACKFILL_CHUNK_DAYS'
    | 'QUEUE_PREFIX'
    | 'EVENTS_DEDUP_HOURS'
    | 'EVENTS_LINGER_MS'
    | 'EVENTS_BATCH_SIZE'
    | 'REFRESH_MARGIN_SECONDS'
    | 'HEALTH_CHECK_INTERVAL_SECONDS'
  >;
  logger: Logger;
  /** The gateway's Prometheus registry; main.ts serves it on the internal metrics port, never the public one. */
  metrics: Registry;
  db: Db;
  /** Producer-style connection (fails fast), shared by the queues and the readiness check. */
  redis: Redis;
  producer: QueueProducer;
  /** Seals and opens credentials at rest. */
  keyring: Keyring;
  /** The platform clients, for the platforms that are configured. */
  providers: PlatformClients;
}
