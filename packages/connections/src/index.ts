export {
  type ConnectionKey,
  openCredential,
  openTokenSet,
  sealedApiKeyColumns,
  sealedTokenColumns,
  WIPED_CREDENTIALS,
} from './credentials.ts';
export {
  checkSealedValues,
  DEFAULT_RESEAL_BATCH_SIZE,
  type ResealCounts,
  type ResealReport,
  resealSealedValues,
  type SealedValueCheck,
  type UnreadableValue,
} from './keys/reseal.ts';
export { SEALED_COLUMNS, type SealedColumn, sealedColumnName } from './keys/sealed-columns.ts';
export { createPlatformClients, type PlatformClients } from './platform-clients.ts';
export { getFreshAccessToken } from './refresh/fresh-access-token.ts';
export {
  backoffMs,
  DEGRADED_AFTER_FAILURES,
  type RefreshDeps,
  type RefreshOutcome,
  refreshConnection,
} from './refresh/refresh-connection.ts';
export { refreshDepsFrom } from './refresh/refresh-deps.ts';
export { type RefreshMetrics, registerRefreshMetrics } from './refresh/refresh-metrics.ts';
export {
  type CredentialPlan,
  EXPIRY_WARNING_DAYS,
  expiryWarningDue,
  firstCredentialCheckAt,
  planCredentials,
  type RefreshTiming,
  refreshTimingFrom,
} from './refresh/refresh-policy.ts';
export { connectionsBeingRefreshed, createSingleFlight, type SingleFlight } from './refresh/single-flight.ts';
export { enqueueDueRefreshes } from './refresh/sweep.ts';
export { createTokenStash, type KeptTokens, type TokenStash } from './refresh/token-stash.ts';
export {
  connectForTest,
  refreshDepsForTest,
  simulatorPlatforms,
  TEST_KEYRING,
} from './testing/connected-connection.ts';
export { type DeliveryOutcome, deliverWebhook, NOTIFIED_EVENTS, notifyTenant } from './webhooks/deliver-webhook.ts';
export {
  openWebhookSecret,
  SIGNATURE_HEADER,
  sealWebhookSecret,
  signWebhook,
  verifyWebhook,
  webhookSecretContext,
} from './webhooks/webhook-signature.ts';
