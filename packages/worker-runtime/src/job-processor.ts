// Turns a consumer's handlers into a BullMQ processor: parse the payload with the catalog schema, keep
// each tenant under its share of running jobs, pick the handler by job name, give it a logger bound to the
// job's ids, and log how each run ended (`job done` with its duration and result; failures are logged by
// the worker's `failed` listener).

import { isDependencyUnavailable } from '@adsync/errors';
import type { Logger } from '@adsync/logging';
import { jobDefinition, type QueueName, type TenantFairness } from '@adsync/queues';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { JobContext, QueueConsumer } from './job-handlers.ts';

/** Payload fields worth having on every log line of a job. */
const LOGGED_IDS = ['tenantId', 'connectionId', 'adAccountId', 'destinationId'] as const;

export interface TenantCap {
  fairness: TenantFairness;
  /** Running jobs one tenant may have on this queue at once. */
  limit: number;
  /** A slot held longer than this by a dead worker is taken back. */
  staleAfterMs: number;
}

/**
 * Thrown by a handler whose work cannot happen yet through no fault of its own (the platform throttled
 * this ad account): the job waits `delayMs` and runs again without using one of its attempts.
 */
export class RetryLaterError extends Error {
  readonly delayMs: number;
  constructor(delayMs: number, reason: string) {
    super(reason);
    this.name = 'RetryLaterError';
    this.delayMs = Math.max(0, Math.round(delayMs));
  }
}

/** How long a capped job waits before trying again: soon, with jitter so waiting jobs do not stampede. */
function capRetryDelayMs(): number {
  return 200 + Math.floor(Math.random() * 300);
}

/**
 * How long a job waits while Postgres or Redis is down or restarting. Such an outage is nobody's failure
 * and can outlast every backoff of a job's attempts (a 30-second Postgres restart would exhaust five), so
 * the job waits it out instead of failing for good.
 */
function outageRetryDelayMs(): number {
  return 3_000 + Math.floor(Math.random() * 2_000);
}

/** A reason to run the job again later without using one of its attempts, or undefined. */
function postponement(error: unknown): { delayMs: number; reason: string } | undefined {
  if (error instanceof RetryLaterError) return { delayMs: error.delayMs, reason: error.message };
  if (isDependencyUnavailable(error)) {
    return { delayMs: outageRetryDelayMs(), reason: `a dependency is unavailable: ${(error as Error).message}` };
  }
  return undefined;
}

export function createJobProcessor(consumer: QueueConsumer, logger: Logger, signal: AbortSignal, cap?: TenantCap) {
  return async (job: Job, token?: string): Promise<unknown> => {
    const handler = consumer.handlers[job.name];
    if (handler === undefined) {
      throw new UnrecoverableError(`queue "${consumer.queue}" has no handler for job "${job.name}"`);
    }
    const parsed = jobDefinition(consumer.queue as QueueName, job.name as never).payload.safeParse(job.data);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(payload)').join(', ');
      throw new UnrecoverableError(`invalid payload for "${job.name}": check ${fields}`);
    }
    const tenantId = (parsed.data as { tenantId?: unknown }).tenantId;
    const capped = cap !== undefined && typeof tenantId === 'string' && job.id !== undefined;
    if (capped && !(await cap.fairness.takeSlot(consumer.queue, tenantId, job.id ?? '', cap.limit, cap.staleAfterMs))) {
      // The tenant already runs its share: step aside (no attempt used) and let other tenants' jobs run.
      await job.moveToDelayed(Date.now() + capRetryDelayMs(), token);
      throw new DelayedError();
    }
    const ids = Object.fromEntries(LOGGED_IDS.flatMap((key) => (key in parsed.data ? [[key, parsed.data[key]]] : [])));
    const context: JobContext<never, never> = {
      data: parsed.data as never,
      jobId: job.id ?? '',
      attemptsMade: job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      logger: logger.child({ queue: consumer.queue, job: job.name, jobId: job.id, ...ids }),
      signal,
    };
    const startedAt = performance.now();
    context.logger.debug({ attempt: job.attemptsMade + 1 }, 'job started');
    try {
      const result = await handler(context);
      // What a handler returns is stored with the job for Bull Board, so it holds counts, never secrets.
      context.logger.info({ durationMs: Math.round(performance.now() - startedAt), result }, 'job done');
      return result;
    } catch (error) {
      const later = postponement(error);
      if (later === undefined) throw error;
      context.logger.info(later, 'job postponed');
      await job.moveToDelayed(Date.now() + later.delayMs, token);
      throw new DelayedError();
    } finally {
      if (capped) await cap.fairness.freeSlot(consumer.queue, tenantId, job.id ?? '');
    }
  };
}
