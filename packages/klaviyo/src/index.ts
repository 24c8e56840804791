export { type KlaviyoReaderDeps, klaviyoReaderFor } from './klaviyo-reader.ts';
export { enqueueKlaviyoSyncs } from './klaviyo-ticks.ts';
export {
  type KlaviyoSyncDeps,
  KlaviyoSyncFailure,
  type KlaviyoSyncOutcome,
  type KlaviyoSyncRequest,
  syncKlaviyo,
} from './sync-klaviyo.ts';
