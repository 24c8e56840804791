// Turns a consumer's handlers into a BullMQ processor: parse the payload with the catalog schema,
// pick the handler by job name, and give it a logger bound to the job's ids.

import type { Logger } from '@adsync/logging';
import { jobDefinition, type QueueName } from '@adsync/queues';
import { type Job, UnrecoverableError } from 'bullmq';
import type { JobContext, QueueConsumer } from './job-handlers.ts';

/** Payload fields worth having on every log line of a job. */
const LOGGED_IDS = ['tenantId', 'connectionId', 'adAccountId', 'destinationId'] as const;

export function createJobProcessor(consumer: QueueConsumer, logger: Logger, signal: AbortSignal) {
  return async (job: Job): Promise<unknown> => {
    const handler = consumer.handlers[job.name];
    if (handler === undefined) {
      throw new UnrecoverableError(`queue "${consumer.queue}" has no handler for job "${job.name}"`);
    }
    const parsed = jobDefinition(consumer.queue as QueueName, job.name as never).payload.safeParse(job.data);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(payload)').join(', ');
      throw new UnrecoverableError(`invalid payload for "${job.name}": check ${fields}`);
    }
    const ids = Object.fromEntries(LOGGED_IDS.flatMap((key) => (key in parsed.data ? [[key, parsed.data[key]]] : [])));
    const context: JobContext<never, never> = {
      data: parsed.data as never,
      jobId: job.id ?? '',
      attemptsMade: job.attemptsMade,
      logger: logger.child({ queue: consumer.queue, job: job.name, jobId: job.id, ...ids }),
      signal,
    };
    return handler(context);
  };
}
