// The typed job catalog: every queue, the jobs it carries, their payload schemas and default options.
// Producers and consumers share it; consumers parse payloads again. Payloads hold ids, never tokens,
// secrets or PII: job data is stored in Redis in plain text and shown on Bull Board.

import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

const id = z.uuid();
const calendarDate = z.iso.date();

export interface JobDefinition<Payload extends z.ZodObject = z.ZodObject> {
  readonly payload: Payload;
  /** Jobs with the same id collapse into one (see `keepLastIfActive`). */
  readonly deduplicationId?: (payload: z.output<Payload>) => string;
  /**
   * With a deduplication id: while one job runs, at most one more waits (holding the latest payload).
   * Without it, a duplicate added while the first is waiting or running is dropped.
   */
  readonly keepLastIfActive?: boolean;
  readonly options: JobsOptions;
}

function defineJob<Payload extends z.ZodObject>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

const keepHistory = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} satisfies JobsOptions;

export const queueCatalog = {
  refresh: {
    /** The minute tick: finds due connections in Postgres and fans out refresh-connection jobs. */
    'sweep-due-connections': defineJob({
      payload: z.strictObject({}),
      options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }),
    'refresh-connection': defineJob({
      payload: z.strictObject({
        tenantId: id,
        connectionId: id,
        reason: z.enum(['due', 'on-demand', 'connected']),
      }),
      deduplicationId: (payload) => `connection:${payload.connectionId}`,
      keepLastIfActive: true,
      options: { attempts: 5, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
  'spend-hourly': {
    /** The hourly tick: fans out a sync of every selected ad account of every live connection. */
    'hourly-tick': defineJob({
      payload: z.strictObject({}),
      options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }),
    'sync-hourly-spend': defineJob({
      payload: z.strictObject({
        tenantId: id,
        adAccountId: id,
        /** The UTC hour the tick fired for; the worker works out the account's local dates from it. */
        tickHour: z.iso.datetime(),
      }),
      deduplicationId: (payload) => `account:${payload.adAccountId}:${payload.tickHour}`,
      options: { attempts: 4, backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
  'spend-nightly': {
    /** Runs every hour; fans out restatements for the accounts whose local night has come. */
    'nightly-tick': defineJob({
      payload: z.strictObject({}),
      options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }),
    'restate-spend': defineJob({
      payload: z.strictObject({
        tenantId: id,
        adAccountId: id,
        from: calendarDate,
        to: calendarDate,
        reason: z.enum(['nightly', 'backfill']),
      }),
      deduplicationId: (payload) => `account:${payload.adAccountId}:${payload.from}:${payload.to}`,
      options: { attempts: 6, backoff: { type: 'exponential', delay: 60_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
  'capi-events': {
    /** Every 30 s: schedules a flush for any destination with pending events whose flush was lost. */
    'flush-tick': defineJob({
      payload: z.strictObject({}),
      options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }),
    /** Hands a destination's pending events to delivery jobs, in batches of the platform's maximum. */
    'flush-destination': defineJob({
      payload: z.strictObject({ tenantId: id, destinationId: id }),
      deduplicationId: (payload) => `destination:${payload.destinationId}`,
      keepLastIfActive: true,
      options: { attempts: 10, backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 }, ...keepHistory },
    }),
    'deliver-events': defineJob({
      payload: z.strictObject({
        tenantId: id,
        destinationId: id,
        /**
         * The destination's batch number: its events (hashed user data, IPs, the brand's event ids) wait in
         * the event buffer, never in job data. The job id is derived from it, so a batch is enqueued once.
         */
        batch: z.number().int().positive(),
      }),
      // ~17 minutes of retries with jitter before what is left is dead-lettered.
      options: { attempts: 10, backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
  'klaviyo-sync': {
    /** Fans out a lists, a segments and a catalog sync of every live Klaviyo connection. */
    'sync-tick': defineJob({
      payload: z.strictObject({}),
      options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
    }),
    'sync-klaviyo': defineJob({
      payload: z.strictObject({
        tenantId: id,
        connectionId: id,
        scope: z.enum(['lists', 'segments', 'catalog']),
      }),
      deduplicationId: (payload) => `connection:${payload.connectionId}:${payload.scope}`,
      keepLastIfActive: true,
      options: { attempts: 5, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 }, ...keepHistory },
    }),
    /** Settles one Klaviyo list job (create a list, or subscribe / unsubscribe profiles): the row holds the rest. */
    'list-job': defineJob({
      payload: z.strictObject({ tenantId: id, listJobId: id }),
      deduplicationId: (payload) => `list-job:${payload.listJobId}`,
      // Waiting for Klaviyo to apply a job postpones without using attempts; these are for failures.
      options: { attempts: 8, backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
  webhooks: {
    /** Tells a tenant's webhook URL about a connection event (signed; retried until the tenant answers 2xx). */
    'deliver-webhook': defineJob({
      payload: z.strictObject({
        tenantId: id,
        /** The connection_events row to deliver; the body is built from it at delivery time. */
        eventId: z.number().int().positive(),
      }),
      deduplicationId: (payload) => `event:${payload.eventId}`,
      options: { attempts: 10, backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 }, ...keepHistory },
    }),
  },
} as const satisfies Record<string, Record<string, JobDefinition>>;

export type QueueCatalog = typeof queueCatalog;
export type QueueName = keyof QueueCatalog;
export type JobName<Q extends QueueName> = keyof QueueCatalog[Q] & string;
export type JobPayload<Q extends QueueName, J extends JobName<Q>> =
  QueueCatalog[Q][J] extends JobDefinition<infer Payload> ? z.output<Payload> : never;

export const QUEUE_NAMES = Object.keys(queueCatalog) as QueueName[];

export function jobDefinition<Q extends QueueName, J extends JobName<Q>>(queue: Q, job: J): JobDefinition {
  const definition = (queueCatalog[queue] as Record<string, JobDefinition | undefined>)[job];
  if (definition === undefined) throw new Error(`queue "${queue}" has no job "${job}"`);
  return definition;
}
