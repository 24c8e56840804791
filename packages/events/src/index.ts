export { deadLetter, type ReplayDeps, replayDeadLetters } from './dead-letters.ts';
export {
  DESTINATION_TOKEN_FIELD,
  type DeliveryDeps,
  DeliveryFailure,
  type DeliveryJob,
  type DeliverySummary,
  deliverEvents,
} from './deliver-events.ts';
export {
  createEventBuffer,
  type DestinationEvents,
  type EventBuffer,
  type EventBufferOptions,
  eventBufferOptions,
} from './event-buffer.ts';
export {
  type DeliveryMetrics,
  type IngestMetrics,
  registerDeliveryMetrics,
  registerIngestMetrics,
} from './event-metrics.ts';
export {
  ACTION_SOURCES,
  type EventProblem,
  MAX_EVENTS_PER_REQUEST,
  type NeutralEvent,
  neutralEvent,
} from './event-schema.ts';
export { deliveryJobId, enqueueLostFlushes, type FlushDeps, flushDestination } from './flush-destination.ts';
export {
  type EventResult,
  type EventStatus,
  type IngestDeps,
  type IngestDestination,
  ingestEvents,
} from './ingest-events.ts';
export { hashed, isSha256, sha256Hex } from './normalize.ts';
export {
  type EventDetails,
  MAX_FUTURE_SECONDS,
  maxAgeSeconds,
  type QueuedEvent,
  tiktokEventName,
  toMetaEvent,
  toPlatformEvent,
  toTikTokEvent,
  windowProblem,
} from './platform-events.ts';
export { type PreparedUser, prepareUser } from './prepared-user.ts';
