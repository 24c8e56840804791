export { createEventSenders, type EventSenders } from './event-senders.ts';
export type * from './events.ts';
export { createGoogleProvider } from './google/google.provider.ts';
export { createGoogleSpendReader } from './google/google.spend.ts';
export { describeUrl, type HttpRequest, type HttpResponse, headerValue, httpJson } from './http.ts';
export type { KlaviyoCredential } from './klaviyo/klaviyo.api.ts';
export {
  forEachSegmentMemberPage,
  KLAVIYO_ENDPOINT_TIERS,
  type KlaviyoCatalogItem,
  type KlaviyoEndpoint,
  type KlaviyoGroup,
  type KlaviyoReader,
  type KlaviyoTier,
  listKlaviyoCatalogItems,
  listKlaviyoLists,
  listKlaviyoListsCreatedAfter,
  listKlaviyoSegments,
  rateLimitUsage,
} from './klaviyo/klaviyo.groups.ts';
export {
  type ConsentChannel,
  createKlaviyoList,
  type ListProfile,
  listMembersAmong,
  MAX_PROFILES_PER_SUBSCRIPTION_JOB,
  type SubscriptionJob,
  submitSubscriptionJob,
} from './klaviyo/klaviyo.lists.ts';
export { validateKlaviyoPrivateKey } from './klaviyo/klaviyo.private-key.ts';
export { createKlaviyoProvider } from './klaviyo/klaviyo.provider.ts';
export { createMetaEventSender } from './meta/meta.events-sender.ts';
export { createMetaProvider } from './meta/meta.provider.ts';
export { createMetaSpendReader, type MetaSpendOptions } from './meta/meta.spend.ts';
export * from './provider.ts';
export type * from './settings.ts';
export {
  GOOGLE_SCOPES,
  KLAVIYO_REVISION,
  KLAVIYO_SCOPES,
  META_SCOPES,
  simulatorProviderSettings,
} from './simulator-settings.ts';
export * from './spend.ts';
export { createTikTokEventSender } from './tiktok/tiktok.events-sender.ts';
export { createTikTokProvider } from './tiktok/tiktok.provider.ts';
export { createTikTokSpendReader } from './tiktok/tiktok.spend.ts';
