// A real gateway for tests: real Postgres and Redis from the test environment, the platforms pointed at a
// simulator, listening on a free port so browsers and platforms can reach it, and its internal metrics
// listener on another, as main.ts runs them.

import {
  DEV_ENCRYPTION_KEYS,
  DEV_OAUTH_STATE_SECRET,
  gatewayConfigSchema,
  parseEnv,
  resolveProviders,
} from '@adsync/config';
import { createPlatformClients } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import type { Db } from '@adsync/db';
import { createLogger, type Logger } from '@adsync/logging';
import { createMetricsRegistry } from '@adsync/metrics';
import { createQueueProducer, createRedisConnection } from '@adsync/queues';
import { freePort } from '@adsync/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import type { GatewayDeps } from '../gateway-deps.ts';
import { buildMetricsApp } from '../metrics-app.ts';

const RELAXED_RATE_LIMITS = {
  RATE_LIMIT_SIGN_IN: '1000000/1m',
  RATE_LIMIT_AUTH_FAILURES: '1000000/1m',
  RATE_LIMIT_API: '1000000/1m',
  RATE_LIMIT_EVENTS: '1000000/1s',
};

export interface TestGateway {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234 (also the PUBLIC_BASE_URL the platforms redirect to). */
  url: string;
  /** The internal listener's scrape URL, e.g. http://127.0.0.1:41235/metrics (the public port has none). */
  metricsUrl: string;
  deps: GatewayDeps;
  close(): Promise<void>;
}

export async function startTestGateway(options: {
  db: Db;
  redisUrl: string;
  queuePrefix: string;
  /** Defaults to a simulator nobody listens on: fine for tests that never reach a platform. */
  simulatorUrl?: string;
  logger?: Logger;
  /** Extra configuration, as environment variables (e.g. META_SCOPES). */
  environment?: Record<string, string>;
  /** A port to listen on, e.g. a restarted gateway's, so OAuth flows it started still come back to it. */
  port?: number;
  /**
   * `relaxed` (the default): limits no test reaches, since every test client shares 127.0.0.1 and a few
   * keys; `defaults`: the production defaults, for the tests of the limits and of the admin page.
   */
  rateLimits?: 'relaxed' | 'defaults';
}): Promise<TestGateway> {
  const redis = createRedisConnection({ url: options.redisUrl, role: 'producer', name: 'gateway-test' });
  redis.on('error', () => undefined);
  const producer = createQueueProducer({ connection: redis, prefix: options.queuePrefix });
  const logger = options.logger ?? createLogger({ name: 'gateway-test', level: 'silent', format: 'json' });
  // The public URL must be known before listening: take a port now, then listen on exactly it.
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const config = parseEnv(gatewayConfigSchema, {
    NODE_ENV: 'test',
    PUBLIC_BASE_URL: url,
    ENCRYPTION_KEYS: DEV_ENCRYPTION_KEYS,
    OAUTH_STATE_SECRET: DEV_OAUTH_STATE_SECRET,
    SIMULATOR_URL: options.simulatorUrl ?? 'http://127.0.0.1:9',
    QUEUE_PREFIX: options.queuePrefix,
    ...(options.rateLimits === 'defaults' ? {} : RELAXED_RATE_LIMITS),
    ...options.environment,
  });
  const deps: GatewayDeps = {
    config,
    logger,
    metrics: createMetricsRegistry('gateway'),
    db: options.db,
    redis,
    producer,
    keyring: createKeyring(config.ENCRYPTION_KEYS),
    providers: createPlatformClients(resolveProviders(config)),
  };
  const metricsApp = await buildMetricsApp(deps.metrics);
  const metricsUrl = `${await metricsApp.listen({ host: '127.0.0.1', port: 0 })}/metrics`;
  const app = await buildApp(deps);
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    url,
    metricsUrl,
    deps,
    close: async () => {
      await app.close();
      await metricsApp.close();
      await producer.close();
      redis.disconnect();
    },
  };
}
