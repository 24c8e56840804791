// Redis clients set up the way BullMQ's production guide asks: workers wait out a Redis outage and
// resume; producers (the gateway, schedulers) fail fast so an HTTP request gets an error, not a hang.

import { once } from 'node:events';
import { Redis } from 'ioredis';

export type RedisRole = 'worker' | 'producer';

/** Reconnect with a growing delay between 1 and 20 seconds, for ever. */
function reconnectDelay(attempt: number): number {
  return Math.max(Math.min(Math.exp(attempt), 20_000), 1_000);
}

export function createRedisConnection(options: { url: string; role: RedisRole; name: string }): Redis {
  const common = {
    connectionName: options.name,
    retryStrategy: reconnectDelay,
    connectTimeout: 5_000,
  };
  if (options.role === 'worker') {
    // BullMQ workers block on Redis and must never give up on a command while reconnecting.
    return new Redis(options.url, { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true });
  }
  return new Redis(options.url, { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false });
}

/**
 * Producer connections fail fast instead of queueing commands while they connect: before a direct command,
 * wait for the first connection (BullMQ's own queues do the same), but never for a reconnection.
 */
export async function whenConnected(redis: Redis): Promise<void> {
  if (redis.status === 'wait') void redis.connect().catch(() => undefined);
  if (redis.status === 'wait' || redis.status === 'connecting' || redis.status === 'connect') {
    await once(redis, 'ready');
  }
}

/** Deletes every key that starts with `prefix` (SCAN, then UNLINK a page at a time). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  // A queue prefix holds braces, which SCAN MATCH takes literally (only * ? [ ] \ are special).
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
