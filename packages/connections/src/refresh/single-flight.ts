// At most one refresh of a connection at a time, across every process: a Redis lock (SET NX PX) owned by a
// random token, released only by its owner, and expiring on its own if the owner dies mid-refresh.

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface SingleFlight {
  /** Runs `work` holding the connection's lock; undefined when another process holds it. */
  run<T>(connectionId: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** Resolves once nobody holds the connection's lock (or after `timeoutMs`: false). */
  waitUntilFree(connectionId: string, timeoutMs: number): Promise<boolean>;
}

const lockKey = (keyPrefix: string, connectionId: string) => `${keyPrefix}:refresh-lock:${connectionId}`;

/** Which of these connections some process is refreshing right now (their lock is held). */
export async function connectionsBeingRefreshed(
  redis: Redis,
  keyPrefix: string,
  connectionIds: readonly string[],
): Promise<Set<string>> {
  if (connectionIds.length === 0) return new Set();
  const owners = await redis.mget(...connectionIds.map((id) => lockKey(keyPrefix, id)));
  return new Set(connectionIds.filter((_, index) => owners[index] !== null));
}

export function createSingleFlight(redis: Redis, options: { keyPrefix: string; lockMs: number }): SingleFlight {
  const keyOf = (connectionId: string) => lockKey(options.keyPrefix, connectionId);
  return {
    async run(connectionId, work) {
      const key = keyOf(connectionId);
      const owner = randomBytes(16).toString('hex');
      const acquired = await redis.set(key, owner, 'PX', options.lockMs, 'NX');
      if (acquired !== 'OK') return { ran: false };
      try {
        return { ran: true, value: await work() };
      } finally {
        await redis.eval(RELEASE, 1, key, owner);
      }
    },
    async waitUntilFree(connectionId, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((await redis.exists(keyOf(connectionId))) === 1) {
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return true;
    },
  };
}
