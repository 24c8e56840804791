export { type KlaviyoReaderDeps, klaviyoReaderFor } from './klaviyo-reader.ts';
export { enqueueKlaviyoSyncs } from './klaviyo-ticks.ts';
export {
  LIST_JOB_DEADLINE_MS,
  LIST_JOB_POLL_MS,
  type ListJobOutcome,
  runListJob,
  sealListProfiles,
} from './list-jobs.ts';
export {
  type KlaviyoSyncDeps,
  KlaviyoSyncFailure,
  type KlaviyoSyncOutcome,
  type KlaviyoSyncRequest,
  syncKlaviyo,
} from './sync-klaviyo.ts';
