// Starts the gateway: config, connections, buildApp, listen; on SIGTERM/SIGINT stops taking requests,
// lets in-flight ones finish, then closes connections in the reverse order of start-up.

import { gatewayConfigSchema, loadConfigOrExit, resolveProviders } from '@adsync/config';
import { createPlatformClients } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { createDatabase } from '@adsync/db';
import { createLogger, logFormatFor } from '@adsync/logging';
import { createQueueProducer, createRedisConnection } from '@adsync/queues';
import { buildApp } from './app.ts';

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
const providers = resolveProviders(config);
logger.info(
  { target: providers.target, configured: providers.configured },
  providers.target === 'simulator' ? 'platforms: the simulator' : 'platforms: the real APIs',
);
const app = await buildApp({
  config,
  logger,
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

try {
  await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
} catch (error) {
  const code = (error as { code?: string }).code;
  logger.error(
    code === 'EADDRINUSE'
      ? `port ${config.GATEWAY_PORT} is in use: stop what is using it, or set GATEWAY_PORT`
      : { err: error },
    'gateway could not start',
  );
  process.exit(1);
}
