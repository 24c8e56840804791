// After the faults stop, the fleet gets time to finish what it accepted. Settled means: no job waiting or
// prioritized on any queue, no retry waiting in `delayed` (only the schedulers' next ticks), no active job
// without a live lock (its worker died and nobody has taken it back yet), and no event left in any
// destination's buffer. An active job whose worker still renews its lock is running, not stuck (a Klaviyo
// sync paced by Klaviyo's low tiers takes minutes); one running longer than STUCK_AFTER_MS is stuck.

import type { Db } from '@adsync/db';
import { QUEUE_NAMES } from '@adsync/queues';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface Backlog {
  /** Per queue: jobs that still have work to do (waiting, active, prioritized, delayed retries). */
  queues: Record<
    string,
    {
      waiting: number;
      /** Active with a live lock and not for longer than STUCK_AFTER_MS: a worker is on it. */
      running: number;
      /** Active without a live lock, or for longer than STUCK_AFTER_MS. */
      active: number;
      prioritized: number;
      retrying: number;
      failed: number;
      failedFor: string[];
    }
  >;
  /** Events accepted and neither delivered nor dead-lettered, per destination. */
  eventsWaiting: number;
}

/** A job this long in `active` is stuck, lock or not: nothing the chaos run starts takes that long. */
export const STUCK_AFTER_MS = 5 * 60_000;

const isSchedulerTick = (jobId: string | undefined) => jobId?.startsWith('repeat:') === true;

export async function readBacklog(redis: Redis, db: Db, prefix: string): Promise<Backlog> {
  const queues: Backlog['queues'] = {};
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, { connection: redis, prefix });
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized', 'failed', 'waiting-children');
      const delayed = await queue.getDelayed();
      const failed = await queue.getFailed(0, 49);
      let running = 0;
      for (const job of await queue.getActive()) {
        const locked = (await redis.exists(`${prefix}:${name}:${job.id}:lock`)) === 1;
        if (locked && Date.now() - (job.processedOn ?? 0) < STUCK_AFTER_MS) running += 1;
      }
      queues[name] = {
        waiting: (counts.waiting ?? 0) + (counts['waiting-children'] ?? 0),
        running,
        active: (counts.active ?? 0) - running,
        prioritized: counts.prioritized ?? 0,
        retrying: delayed.filter((job) => !isSchedulerTick(job.id)).length,
        failed: counts.failed ?? 0,
        failedFor: [...new Set(failed.map((job) => `${job.name}: ${job.failedReason.slice(0, 120)}`))],
      };
    } finally {
      await queue.close();
    }
  }
  const destinations = await db.selectFrom('capi_destinations').select('id').execute();
  let eventsWaiting = 0;
  for (const { id } of destinations) {
    eventsWaiting += Number((await redis.get(`${prefix}:capi:${id}:waiting`)) ?? 0);
  }
  return { queues, eventsWaiting };
}

export function isSettled(backlog: Backlog): boolean {
  return (
    backlog.eventsWaiting === 0 &&
    Object.values(backlog.queues).every(
      (queue) => queue.waiting + queue.active + queue.prioritized + queue.retrying === 0,
    )
  );
}

/** Polls until settled or `timeoutMs`; returns the last backlog read and how long it took. */
export async function waitUntilSettled(
  read: () => Promise<Backlog>,
  timeoutMs: number,
): Promise<{ backlog: Backlog; settled: boolean; tookMs: number }> {
  const started = Date.now();
  let backlog = await read();
  // Settled twice in a row, a few seconds apart: a scheduler tick may be about to fan out more work.
  let settledReads = 0;
  while (Date.now() - started < timeoutMs) {
    settledReads = isSettled(backlog) ? settledReads + 1 : 0;
    if (settledReads >= 2) return { backlog, settled: true, tookMs: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    backlog = await read();
  }
  return { backlog, settled: isSettled(backlog), tookMs: Date.now() - started };
}
