// Async Insights report runs (providers.md §1.4): progress over time, the configured share that fail or
// stall, and the AdReportRun node as Graph returns it.

import type { ReportRun, RunFate } from './meta.state.ts';

export type AsyncStatus = 'Job Not Started' | 'Job Started' | 'Job Running' | 'Job Completed' | 'Job Failed';

/** A stalled run stops at this percentage; a failing one fails here. */
export const STALL_PERCENT = 37;
export const FAIL_PERCENT = 58;

export interface RunProgress {
  status: AsyncStatus;
  percent: number;
  /** When the run completed or failed (ms), if it has. */
  finishedAt: number | undefined;
}

/** The fate of a new run: failing, stalling or completing, in the configured shares. */
export function drawFate(shares: { asyncFailureShare: number; asyncStallShare: number }, draw: number): RunFate {
  if (draw < shares.asyncFailureShare) return 'fail';
  if (draw < shares.asyncFailureShare + shares.asyncStallShare) return 'stall';
  return 'complete';
}

export function runProgress(run: ReportRun, now: number, runMilliseconds: number): RunProgress {
  const elapsed = Math.max(0, now - run.startedAt);
  const linear = runMilliseconds === 0 ? 100 : Math.min(100, Math.floor((elapsed * 100) / runMilliseconds));
  if (run.fate === 'fail' && linear >= FAIL_PERCENT) {
    return {
      status: 'Job Failed',
      percent: FAIL_PERCENT,
      finishedAt: run.startedAt + (runMilliseconds * FAIL_PERCENT) / 100,
    };
  }
  const percent = run.fate === 'stall' ? Math.min(linear, STALL_PERCENT) : linear;
  if (percent >= 100) return { status: 'Job Completed', percent: 100, finishedAt: run.startedAt + runMilliseconds };
  if (elapsed === 0 || percent === 0) return { status: 'Job Not Started', percent: 0, finishedAt: undefined };
  return { status: percent < 10 ? 'Job Started' : 'Job Running', percent, finishedAt: undefined };
}

/** Lets a stalled run go on from where it stopped, finishing the rest of its time from `now`. */
export function releaseRun(run: ReportRun, now: number, runMilliseconds: number): boolean {
  if (run.fate !== 'stall') return false;
  run.fate = 'complete';
  run.startedAt = now - (runMilliseconds * STALL_PERCENT) / 100;
  return true;
}

/** The AdReportRun node. */
export function runNode(run: ReportRun, progress: RunProgress): Record<string, unknown> {
  const failed = progress.status === 'Job Failed';
  return {
    id: run.id,
    account_id: run.accountId.slice('act_'.length),
    async_status: progress.status,
    async_percent_completion: progress.percent,
    date_start: run.query.since,
    date_stop: run.query.until,
    time_ref: Math.floor(run.createdAt / 1000),
    time_completed: progress.finishedAt === undefined ? 0 : Math.floor(progress.finishedAt / 1000),
    is_running: progress.finishedAt === undefined,
    ...(failed
      ? {
          error_code: -2,
          error_subcode: 2490547,
          error_message: 'Async job failed',
          error_user_title: 'Report Failed',
          error_user_msg: 'Your report could not be generated. Please try again.',
        }
      : {}),
  };
}
