// Job metrics for one worker process: completions, failures and durations per queue and job.

import type { Registry } from '@adsync/metrics';
import type { Job, Worker } from 'bullmq';
import { Counter, Histogram } from 'prom-client';

export function createJobMetrics(registry: Registry) {
  const completed = new Counter({
    name: 'adsync_jobs_completed_total',
    help: 'Jobs that completed.',
    labelNames: ['queue', 'job'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'adsync_jobs_failed_total',
    help: 'Job attempts that failed; final="true" when no attempt is left.',
    labelNames: ['queue', 'job', 'final'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'adsync_job_duration_seconds',
    help: 'Time from a job attempt starting to it finishing.',
    labelNames: ['queue', 'job', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });

  const seconds = (job: Job) =>
    job.processedOn !== undefined && job.finishedOn !== undefined ? (job.finishedOn - job.processedOn) / 1000 : 0;

  return {
    observe(worker: Worker): void {
      worker.on('completed', (job) => {
        completed.inc({ queue: worker.name, job: job.name });
        duration.observe({ queue: worker.name, job: job.name, outcome: 'completed' }, seconds(job));
      });
      worker.on('failed', (job) => {
        if (job === undefined) return;
        const attempts = job.opts.attempts ?? 1;
        const final = job.finishedOn !== undefined || job.attemptsMade >= attempts;
        failed.inc({ queue: worker.name, job: job.name, final: String(final) });
        duration.observe(
          { queue: worker.name, job: job.name, outcome: 'failed' },
          (Date.now() - (job.processedOn ?? Date.now())) / 1000,
        );
      });
    },
  };
}
