// One Insights report as an async report run (providers.md §1.4): start it, poll it with backoff until it
// completes, then read its rows. A run that fails, is skipped or stops making progress is abandoned, not
// restarted: the caller decides what to do instead (split the range).

import { err, ok } from '@adsync/errors';
import type { ProviderResult } from '../provider.ts';
import { type InsightsClient, stoppedError } from './meta.insights-client.ts';
import { type InsightsRow, reportRunStarted, reportRunStatus } from './meta.schemas.ts';

export interface RunTiming {
  /** First wait between polls; each next wait is 1.5× longer, up to `maxPollIntervalMs`. */
  readonly pollIntervalMs: number;
  readonly maxPollIntervalMs: number;
  /** A run whose completion percentage has not moved for this long is stalled. */
  readonly stallAfterMs: number;
  readonly now: () => number;
}

/** Why a run was given up: Graph failed or skipped it, or its progress stopped. */
export type AbandonReason = 'failed' | 'stalled';

export type RunOutcome =
  | { readonly kind: 'rows'; readonly rows: InsightsRow[] }
  | { readonly kind: 'abandoned'; readonly reason: AbandonReason };

const BACKOFF_FACTOR = 1.5;
const COMPLETED = 'Job Completed';
const GIVEN_UP = new Set(['Job Failed', 'Job Skipped']);
/** The poll reads these only; rows come from the run's own insights edge. */
const STATUS_FIELDS = 'id,async_status,async_percent_completion';
const PAGE_SIZE = '500';

/** Waits `ms`; false when `signal` aborted first. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(completed);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Polls until the run completes ('completed'), fails or is skipped ('failed'), or stops moving ('stalled'). */
async function awaitRun(
  client: InsightsClient,
  runUrl: string,
  timing: RunTiming,
  signal: AbortSignal | undefined,
): Promise<ProviderResult<'completed' | AbandonReason>> {
  let delay = timing.pollIntervalMs;
  let percentSeen = 0;
  let progressedAt = timing.now();
  // Each pass either sees the percentage rise (at most 100 times) or moves toward the stall deadline, so
  // the loop ends within about 101 × stallAfterMs even for a run that creeps.
  for (;;) {
    const status = await client.get(`${runUrl}?fields=${STATUS_FIELDS}`, reportRunStatus, 'check a report run');
    if (!status.ok) return status;
    const { async_status: state, async_percent_completion: percent } = status.value;
    if (state === COMPLETED && percent >= 100) return ok('completed');
    if (GIVEN_UP.has(state)) return ok('failed');
    if (percent > percentSeen) {
      percentSeen = percent;
      progressedAt = timing.now();
    } else if (timing.now() - progressedAt >= timing.stallAfterMs) {
      return ok('stalled');
    }
    if (!(await pause(delay, signal))) return err(stoppedError());
    delay = Math.min(delay * BACKOFF_FACTOR, timing.maxPollIntervalMs);
  }
}

/**
 * Runs the report `params` describe on `act_{id}/insights` asynchronously. Graph errors (throttling, a
 * revoked token) are errors; a run that Graph gives up on, or that stalls, is an `abandoned` outcome.
 */
export async function runReport(
  client: InsightsClient,
  graphUrl: string,
  accountId: string,
  params: Record<string, string>,
  timing: RunTiming,
  signal: AbortSignal | undefined,
): Promise<ProviderResult<RunOutcome>> {
  const started = await client.post(
    `${graphUrl}/${accountId}/insights`,
    params,
    reportRunStarted,
    'start an Insights report',
  );
  if (!started.ok) return started;
  const runUrl = `${graphUrl}/${encodeURIComponent(started.value.report_run_id)}`;
  const finished = await awaitRun(client, runUrl, timing, signal);
  if (!finished.ok) return finished;
  if (finished.value !== 'completed') return ok({ kind: 'abandoned', reason: finished.value });
  const rows = await client.allRows(`${runUrl}/insights?limit=${PAGE_SIZE}`, 'read an Insights report');
  return rows.ok ? ok({ kind: 'rows', rows: rows.value }) : rows;
}

/** The same report read synchronously: the last resort for a single day whose runs do not finish. */
export function readReportNow(
  client: InsightsClient,
  graphUrl: string,
  accountId: string,
  params: Record<string, string>,
): Promise<ProviderResult<InsightsRow[]>> {
  const query = new URLSearchParams({ ...params, limit: PAGE_SIZE });
  return client.allRows(`${graphUrl}/${accountId}/insights?${query}`, 'read Insights');
}
