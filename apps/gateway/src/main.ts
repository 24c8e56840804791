// Starts the gateway: config, connections, the internal metrics listener, buildApp, listen; on SIGTERM/SIGINT
// stops taking requests, lets in-flight ones finish, then closes everything in the reverse order of start-up.

import { devDefaultsAllowedOnPublicUrl, gatewayConfigSchema, loadConfigOrExit, resolveProviders } from '@adsync/config';
import { createPlatformClients } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { createDatabase } from '@adsync/db';
import { createLogger, logFormatFor } from '@adsync/logging';
import { createMetricsRegistry } from '@adsync/metrics';
import { createQueueProducer, createRedisConnection } from '@adsync/queues';
import { buildApp } from './app.ts';
import { buildMetricsApp } from './metrics-app.ts';

const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL, format: logFormatFor(config) });
const db = createDatabase({
  url: config.DATABASE_URL,
  poolMax: config.DATABASE_POOL_MAX,
  applicationName: 'gateway',
  onConnectionError: (error) => logger.warn({ err: error }, 'a Postgres connection failed; the pool replaces it'),
});
const redis = createRedisConnection({ url: config.REDIS_URL, role: 'producer', name: 'gateway' });
redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error; reconnecting'));
const producer = createQueueProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
const devDefaults = devDefaultsAllowedOnPublicUrl(config, { providers: true });
if (devDefaults !== undefined) logger.warn(devDefaults);
const providers = resolveProviders(config);
logger.info(
  { target: providers.target, configured: providers.configured },
  providers.target === 'simulator' ? 'platforms: the simulator' : 'platforms: the real APIs',
);
const metrics = createMetricsRegistry('gateway');
const metricsApp = await buildMetricsApp(metrics);
const app = await buildApp({
  config,
  logger,
  metrics,
  db,
  redis,
  producer,
  keyring: createKeyring(config.ENCRYPTION_KEYS),
  providers: createPlatformClients(providers),
});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed; exiting');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  await app.close();
  // Closed after the public port has drained, so the last requests still reach a scrape.
  await metricsApp.close();
  await producer.close();
  await redis.quit().catch(() => undefined);
  await db.destroy();
  clearTimeout(deadline);
  logger.info('stopped');
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));

/** Listens, or logs why it cannot (a port in use names the variable to change) and exits 1. */
async function listen(server: typeof app, host: string, port: number, portVariable: string): Promise<string> {
  try {
    return await server.listen({ host, port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    logger.error(
      code === 'EADDRINUSE' ? `port ${port} is in use: stop what is using it, or set ${portVariable}` : { err: error },
      'gateway could not start',
    );
    process.exit(1);
  }
}

// Metrics first, so the public port never serves a request that no scrape can see.
const metricsUrl = await listen(
  metricsApp,
  config.GATEWAY_METRICS_HOST,
  config.GATEWAY_METRICS_PORT,
  'GATEWAY_METRICS_PORT',
);
const url = await listen(app, config.GATEWAY_HOST, config.GATEWAY_PORT, 'GATEWAY_PORT');
logger.info({ url, metricsUrl: `${metricsUrl}/metrics` }, 'gateway started');
