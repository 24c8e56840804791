export { createDatabase, type DatabaseOptions, type Db } from './create-database.ts';
export { type MigrationOutcome, migrateToLatest } from './migrate.ts';
export {
  type DiscoveredAdAccount,
  listAdAccounts,
  setSelectedAdAccounts,
  upsertAdAccounts,
} from './repositories/ad-accounts.repository.ts';
export {
  consumeLoginLink,
  endAdminSessions,
  findLiveAdminSession,
  findUsableLoginLink,
  insertAdminSession,
  insertLoginLink,
  type LiveAdminSession,
  listLiveAdminSessions,
  revokeAdminSession,
  voidSignInLinks,
} from './repositories/admin-sessions.repository.ts';
export { insertApiKey, listApiKeys, revokeApiKey, useApiKey } from './repositories/api-keys.repository.ts';
export {
  countDeadLetters,
  countDeadLettersByDestination,
  type DeadLetterFilter,
  findDeadLettersToReplay,
  insertDeadLetters,
  listDeadLetters,
  markDeadLettersReplayed,
  type NewDeadLetter,
} from './repositories/capi-dead-letters.repository.ts';
export {
  addDeliveredEvents,
  type DeliveredEvents,
  type DeliveryDay,
  deliveryDays,
  utcDay,
} from './repositories/capi-delivery-days.repository.ts';
export {
  type DestinationKey,
  deleteCapiDestination,
  destinationsUsingConnection,
  destinationTenants,
  findCapiDestination,
  insertCapiDestination,
  listCapiDestinations,
  type NewCapiDestination,
  recordDestinationOutcome,
  updateCapiDestination,
} from './repositories/capi-destinations.repository.ts';
export {
  consumeConnectLink,
  findUsableConnectLink,
  insertConnectLink,
} from './repositories/connect-links.repository.ts';
export {
  type ConnectionEventPosition,
  countConnectionsByStatus,
  type DueCursor,
  findConnection,
  findConnectionByProvider,
  findConnectionEvent,
  findDueConnections,
  findLiveConnections,
  insertConnection,
  listConnectionEvents,
  listConnections,
  recordConnectionEvent,
  soonestExpiryByProvider,
  updateConnection,
  updateConnectionIfVersion,
} from './repositories/connections.repository.ts';
export {
  applySegmentMembers,
  findKlaviyoGroup,
  finishKlaviyoSync,
  listKlaviyoGroups,
  listKlaviyoSyncs,
  listSegmentChanges,
  listSegmentMembers,
  recordKlaviyoGroups,
  type SeenGroup,
  startKlaviyoSync,
} from './repositories/klaviyo.repository.ts';
export {
  type CatalogItemWithMappings,
  deleteProductMapping,
  findCatalogItem,
  listCatalogItems,
  listProductMappings,
  type MappingWithItem,
  recordCatalogItems,
  type SeenCatalogItem,
  setProductMapping,
  unmappedProducts,
} from './repositories/klaviyo-catalog.repository.ts';
export {
  addKlaviyoList,
  findListJob,
  insertListJob,
  listListJobs,
  listsCreatedByListJobs,
  updateListJob,
} from './repositories/klaviyo-list-jobs.repository.ts';
export {
  consumeOAuthState,
  deleteExpiredOAuthStates,
  insertOAuthState,
  isOAuthStatePending,
} from './repositories/oauth-states.repository.ts';
export { setOnboardingStepSkipped, skippedOnboardingSteps } from './repositories/onboarding.repository.ts';
export { findActiveOperator, upsertOperator } from './repositories/operators.repository.ts';
export {
  countSealedValuesByKeyId,
  pageSealedValues,
  type SealedColumnRef,
  type SealedValueRow,
  sealedColumnRef,
  swapSealedValue,
} from './repositories/sealed-values.repository.ts';
export {
  listSpendRestatements,
  type SpendFilter,
  type SpendGrain,
  type SpendRowInput,
  type SpendTotal,
  type SpendWrite,
  type SpendWriteResult,
  spendByAccount,
  spendByDay,
  spendByHour,
  spendByRegion,
  writeSpendRows,
} from './repositories/spend.repository.ts';
export {
  findAccountsDueForRestatement,
  findSpendAccount,
  findSyncableAccounts,
  markAccountSynced,
  type SpendLookbacks,
  type SyncableAccount,
  setSpendLookbacks,
  spendLookbacks,
} from './repositories/spend-accounts.repository.ts';
export {
  finishSyncRun,
  listSyncRuns,
  type SyncRunEnd,
  type SyncRunStart,
  startSyncRun,
} from './repositories/sync-runs.repository.ts';
export { createTenant, findTenant, setTenantWebhook } from './repositories/tenants.repository.ts';
export * from './schema.ts';
export { API_KEY_PREFIX, createTenantWithKey, ensureTenantWithKey, issueApiKey } from './tenant-keys.ts';
