// Fairness between tenants on shared queues (open-source BullMQ has no groups). Two parts:
// - order: a tenant's n-th queued job gets priority n, so one tenant's 10,000-job backfill is interleaved
//   with everyone else's work instead of standing in front of it (BullMQ runs lower priorities first);
// - a cap: at most `limit` of one tenant's jobs run at once per queue, across every worker process, counted
//   in a Redis sorted set whose entries expire if a worker dies without removing them.

import type { Redis } from 'ioredis';
import { whenConnected } from './redis-connection.ts';

/** BullMQ's largest priority. */
export const MAX_PRIORITY = 2_097_151;

const RELEASE_PRIORITY = `local left = redis.call('decr', KEYS[1]) if left <= 0 then redis.call('del', KEYS[1]) end return left`;

const TAKE_SLOT = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zscore', KEYS[1], ARGV[3]) then return 1 end
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('zadd', KEYS[1], ARGV[4], ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[5])
return 1`;

export function createTenantFairness(redis: Redis, prefix: string) {
  const queuedKey = (queue: string, tenantId: string) => `${prefix}:fair:queued:${queue}:${tenantId}`;
  const runningKey = (queue: string, tenantId: string) => `${prefix}:fair:running:${queue}:${tenantId}`;

  return {
    /** Reserves places for each tenant's new jobs in one round trip; returns each tenant's first priority. */
    async reserve(queue: string, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
      if (counts.size === 0) return new Map();
      await whenConnected(redis);
      const pipeline = redis.pipeline();
      for (const [tenantId, count] of counts) {
        pipeline.incrby(queuedKey(queue, tenantId), count).expire(queuedKey(queue, tenantId), 7 * 86_400);
      }
      const replies = (await pipeline.exec()) ?? [];
      const firsts = new Map<string, number>();
      [...counts].forEach(([tenantId, count], index) => {
        const [error, end] = replies[index * 2] ?? [new Error('no reply'), 0];
        if (error) throw error;
        firsts.set(tenantId, Math.min(MAX_PRIORITY, Number(end) - count + 1));
      });
      return firsts;
    },

    /** A job of the tenant left the queue for good (completed, or failed its last attempt). */
    async release(queue: string, tenantId: string): Promise<void> {
      await whenConnected(redis);
      await redis.eval(RELEASE_PRIORITY, 1, queuedKey(queue, tenantId));
    },

    /** Takes one of the tenant's running slots for `jobId`; false when the tenant is at its cap. */
    async takeSlot(
      queue: string,
      tenantId: string,
      jobId: string,
      limit: number,
      staleAfterMs: number,
    ): Promise<boolean> {
      await whenConnected(redis);
      const now = Date.now();
      const taken = await redis.eval(
        TAKE_SLOT,
        1,
        runningKey(queue, tenantId),
        String(now - staleAfterMs),
        String(limit),
        jobId,
        String(now),
        String(staleAfterMs * 2),
      );
      return taken === 1;
    },

    async freeSlot(queue: string, tenantId: string, jobId: string): Promise<void> {
      await redis.zrem(runningKey(queue, tenantId), jobId);
    },
  };
}

export type TenantFairness = ReturnType<typeof createTenantFairness>;
