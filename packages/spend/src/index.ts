export { enqueueBackfill, MAX_BACKFILL_DAYS } from './backfill.ts';
export {
  addDays,
  backfillRanges,
  type DateRange,
  hourlySyncRange,
  localClock,
  restatementRange,
} from './spend-dates.ts';
export { registerSpendMetrics, type SpendMetrics } from './spend-metrics.ts';
export { createSpendReaders, type SpendReaders } from './spend-readers.ts';
export { enqueueHourlySyncs, enqueueNightlyRestatements, type Lookbacks } from './spend-ticks.ts';
export {
  type SpendSyncDeps,
  type SpendSyncOutcome,
  type SpendSyncRequest,
  SyncFailure,
  syncAccountSpend,
  syncHourlySpend,
} from './sync-account-spend.ts';
