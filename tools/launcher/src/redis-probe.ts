// One quick PING, no retries: is a usable Redis at REDIS_URL right now?

import { Redis } from 'ioredis';
import { isUnreachableError, messageOf } from './connection-errors.ts';
import { LauncherError } from './launcher-error.ts';

export async function pingRedis(redisUrl: string, timeoutMs = 2_000): Promise<'reachable' | 'unreachable'> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // Without a listener, ioredis reports connection errors as unhandled 'error' events.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return 'reachable';
  } catch (error) {
    if (isUnreachableError(error)) return 'unreachable';
    throw new LauncherError(
      `Redis at ${new URL(redisUrl).host} answered but refused the launcher (${messageOf(error)}). Check the password in REDIS_URL.`,
    );
  } finally {
    client.disconnect();
  }
}
