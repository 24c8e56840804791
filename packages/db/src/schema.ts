// Typed tables. Every tenant-owned table has `tenant_id`; money is integer micros (bigint).

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export const PROVIDERS = ['meta', 'google', 'tiktok', 'klaviyo'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const CONNECTION_STATUSES = ['pending', 'active', 'needs_reauth', 'degraded', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const OPERATOR_ROLES = ['admin', 'viewer'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;
/** A calendar date in the ad account's time zone, as 'YYYY-MM-DD'. */
type CalendarDate = string;

export interface TenantsTable {
  id: Generated<string>;
  name: string;
  webhook_url: string | null;
  /** Sealed HMAC key that signs the tenant's webhooks. */
  webhook_secret_ciphertext: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TenantApiKeysTable {
  id: Generated<string>;
  tenant_id: string;
  name: string;
  /** The first characters of the key, shown in lists so people can tell keys apart. */
  key_prefix: string;
  /** Hex SHA-256 of the whole key; the key itself is shown once and never stored. */
  key_hash: string;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface OperatorsTable {
  id: Generated<string>;
  email: string;
  role: OperatorRole;
  token_hash: string;
  created_at: CreatedAt;
  disabled_at: Date | null;
}

export interface OAuthStatesTable {
  nonce: string;
  tenant_id: string;
  provider: Provider;
  /** Set when the flow reconnects an existing connection. */
  connection_id: string | null;
  return_url: string | null;
  pkce_verifier_ciphertext: string | null;
  /** Hex SHA-256 of the cookie set on the browser that started the flow; its callback must bring it. */
  browser_binding_hash: string | null;
  expires_at: Date;
  consumed_at: Date | null;
  created_at: CreatedAt;
}

export interface ConnectionsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: Provider;
  auth_method: 'oauth' | 'api_key';
  status: ConnectionStatus;
  /** The platform user or app install that granted access. */
  external_user_id: string | null;
  scopes: Generated<string[]>;
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string | null;
  api_key_ciphertext: string | null;
  /** Klaviyo public key (site id); not a secret. */
  public_key: string | null;
  /** Bumped by every credential write; refreshes compare-and-swap on it. */
  credentials_version: Generated<number>;
  access_token_expires_at: Date | null;
  refresh_token_expires_at: Date | null;
  next_refresh_at: Date | null;
  last_refreshed_at: Date | null;
  last_synced_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Date | null;
  consecutive_failures: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  disconnected_at: Date | null;
}

export interface ConnectionEventsTable {
  id: Generated<bigint>;
  tenant_id: string;
  connection_id: string;
  type: string;
  message: string | null;
  detail: ColumnType<Record<string, unknown>, Record<string, unknown> | undefined, never>;
  created_at: CreatedAt;
}

export interface AdAccountsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  provider: Provider;
  external_id: string;
  name: string;
  currency: string;
  /** IANA zone, e.g. 'Pacific/Auckland'; spend dates are in this zone. */
  timezone: string;
  /** Google: the manager (login-customer-id) through which this account is reached. */
  manager_external_id: string | null;
  status: Generated<string>;
  selected: Generated<boolean>;
  /** When an hourly sync of this account last succeeded. */
  last_synced_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The account's local date of the last successful nightly restatement. */
  last_restated_on: ColumnType<CalendarDate | null, CalendarDate | null | undefined, CalendarDate | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export const SPEND_PROVIDERS = ['meta', 'google', 'tiktok'] as const;
export type SpendProvider = (typeof SPEND_PROVIDERS)[number];

export interface TenantSpendSettingsTable {
  tenant_id: string;
  provider: SpendProvider;
  /** Days the nightly restatement goes back for this tenant's accounts on this platform. */
  lookback_days: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SpendRestatementsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: Provider;
  ad_account_id: string;
  sync_run_id: string | null;
  date: CalendarDate;
  previous_micros: bigint;
  restated_micros: bigint;
  currency: string;
  recorded_at: ColumnType<Date, never, never>;
}

export interface AdSpendTable {
  tenant_id: string;
  provider: Provider;
  ad_account_id: string;
  date: CalendarDate;
  /** 0–23 in the account's zone; null for a whole-day row. */
  hour: number | null;
  /** Region name or code; null for all regions together. */
  region: string | null;
  spend_micros: bigint;
  currency: string;
  impressions: bigint;
  clicks: bigint;
  synced_at: ColumnType<Date, Date | undefined, Date>;
}

export const SYNC_KINDS = ['hourly', 'nightly', 'backfill'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export interface SyncRunsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string | null;
  ad_account_id: string | null;
  provider: Provider | null;
  kind: SyncKind;
  job_id: string | null;
  range_start: CalendarDate | null;
  range_end: CalendarDate | null;
  status: 'running' | 'succeeded' | 'failed';
  rows_written: Generated<number>;
  error_code: string | null;
  error_message: string | null;
  started_at: ColumnType<Date, Date | undefined, never>;
  finished_at: Date | null;
  duration_ms: number | null;
}

export interface AdminLoginLinksTable {
  token_hash: string;
  tenant_id: string;
  /** The API key behind the link: the one that minted it, or that opened the session that did. */
  api_key_id: string | null;
  /** The session that minted the link, if one did: ending it ends the sessions the link opened. */
  session_id: string | null;
  /** Where the admin lands after signing in: a path under /admin. */
  next_path: string | null;
  expires_at: Date;
  consumed_at: Date | null;
  created_at: CreatedAt;
}

/** A single-use link that starts one platform's connect flow in the browser that opens it. */
export interface ConnectLinksTable {
  token_hash: string;
  tenant_id: string;
  provider: Provider;
  return_url: string | null;
  api_key_id: string | null;
  session_id: string | null;
  expires_at: Date;
  consumed_at: Date | null;
  created_at: CreatedAt;
}

export interface AdminSessionsTable {
  id: Generated<string>;
  tenant_id: string;
  /** Hex SHA-256 of the session cookie's value. */
  token_hash: string;
  /** Hex SHA-256 of the CSRF token every change must carry in `x-csrf-token`. */
  csrf_token_hash: string;
  /** The API key behind the session (revoking it ends the session); null only for sessions ended in 0012. */
  api_key_id: string | null;
  /** The session whose login link opened this one: ending that one ends this one too. */
  parent_session_id: string | null;
  opened_via: AdminSessionOrigin | null;
  user_agent: string | null;
  client_ip: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: CreatedAt;
}

export type AdminSessionOrigin = 'sign_in' | 'login_link';

export const ONBOARDING_STEPS = ['meta', 'google', 'tiktok', 'klaviyo'] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

export interface OnboardingProgressTable {
  tenant_id: string;
  step: OnboardingStep;
  skipped_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export const CAPI_PROVIDERS = ['meta', 'tiktok'] as const;
export type CapiProvider = (typeof CAPI_PROVIDERS)[number];

export interface CapiDestinationsTable {
  id: Generated<string>;
  tenant_id: string;
  provider: CapiProvider;
  name: string;
  /** Meta dataset (pixel) id or TikTok pixel code. */
  pixel_id: string;
  /** The stored connection whose token sends the events; null when the destination has its own token. */
  connection_id: string | null;
  /** A dedicated Conversions API / Events API token, sealed; null when a connection's token is used. */
  access_token_ciphertext: string | null;
  test_event_code: string | null;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  last_delivered_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: Date | null;
  deleted_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export const DEAD_LETTER_STATUSES = ['dead', 'replayed'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

export interface CapiDeadLettersTable {
  id: Generated<string>;
  tenant_id: string;
  destination_id: string;
  event_id: string;
  event_name: string;
  event_time: Date;
  /** The queued event, sealed (it holds hashed user data and clear IPs, user agents, click ids). */
  payload_ciphertext: string;
  reason_code: string;
  reason_message: string;
  status: ColumnType<DeadLetterStatus, DeadLetterStatus | undefined, DeadLetterStatus>;
  failures: ColumnType<number, number | undefined, number>;
  accepted_at: Date;
  failed_at: ColumnType<Date, Date | undefined, Date>;
  replayed_at: Date | null;
}

export interface CapiDeliveryDaysTable {
  tenant_id: string;
  destination_id: string;
  /** The UTC calendar date the events were delivered, as 'YYYY-MM-DD'. */
  day: CalendarDate;
  /** Events delivered that day, each once however often its batch was retried. */
  delivered: ColumnType<bigint, bigint | undefined, bigint>;
}

export const KLAVIYO_SYNC_SCOPES = ['lists', 'segments', 'catalog'] as const;
export type KlaviyoSyncScope = (typeof KLAVIYO_SYNC_SCOPES)[number];
export type KlaviyoSyncStatus = 'running' | 'succeeded' | 'failed';

export interface KlaviyoSyncsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  scope: KlaviyoSyncScope;
  status: ColumnType<KlaviyoSyncStatus, KlaviyoSyncStatus | undefined, KlaviyoSyncStatus>;
  /** What the sync did, e.g. {"segments": 2, "members": 10000, "joined": 3, "left": 1}. */
  counts: ColumnType<Record<string, number>, Record<string, number> | undefined, Record<string, number>>;
  error_code: string | null;
  error_message: string | null;
  started_at: ColumnType<Date, Date | undefined, Date>;
  finished_at: Date | null;
}

export type KlaviyoGroupKind = 'list' | 'segment';

export interface KlaviyoGroupsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  kind: KlaviyoGroupKind;
  /** Klaviyo's list or segment id. */
  external_id: string;
  name: string;
  klaviyo_created_at: Date;
  klaviyo_updated_at: Date;
  /** Segments: members at the last complete member sync. */
  member_count: number | null;
  members_synced_at: Date | null;
  seen_at: Date;
  removed_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface KlaviyoSegmentMembersTable {
  group_id: string;
  /** Klaviyo's profile id: the only thing adsync keeps of a member. */
  profile_id: string;
  seen_since: Date;
}

export type SegmentChange = 'joined' | 'left';

export interface KlaviyoSegmentChangesTable {
  id: Generated<bigint>;
  tenant_id: string;
  group_id: string;
  sync_id: string;
  profile_id: string;
  change: SegmentChange;
  recorded_at: ColumnType<Date, Date | undefined, Date>;
}

export interface KlaviyoCatalogItemsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  /** Klaviyo's id, e.g. `$custom:::$default:::SKU-1`. */
  item_id: string;
  /** The brand's own id for the product in Klaviyo. */
  external_id: string;
  title: string;
  url: string;
  /** numeric(14,4), read as text to keep it exact. */
  price: ColumnType<string | null, number | null, number | null>;
  published: boolean;
  klaviyo_updated_at: Date;
  seen_at: Date;
  removed_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface KlaviyoProductMappingsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  /** The brand's product: its SKU or external id, as its store knows it. */
  product_ref: string;
  /** The Klaviyo catalog item (Klaviyo's id) the product maps to. */
  item_id: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type KlaviyoListJobKind = 'create_list' | 'subscribe' | 'unsubscribe';
export type KlaviyoListJobStatus = 'queued' | 'submitted' | 'completed' | 'incomplete' | 'failed';

export interface KlaviyoListJobsTable {
  id: Generated<string>;
  tenant_id: string;
  connection_id: string;
  kind: KlaviyoListJobKind;
  /** create_list: the name asked for. */
  list_name: string | null;
  /** The list (adsync's row), once known. */
  group_id: string | null;
  custom_source: string | null;
  /** The profiles (emails, phone numbers, channels), sealed; null once the job is settled. */
  profiles_ciphertext: string | null;
  profile_count: ColumnType<number, number | undefined, number>;
  status: ColumnType<KlaviyoListJobStatus, KlaviyoListJobStatus | undefined, KlaviyoListJobStatus>;
  confirmed_count: number | null;
  missing_count: number | null;
  error_code: string | null;
  error_message: string | null;
  submitted_at: Date | null;
  finished_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface Database {
  tenants: TenantsTable;
  tenant_api_keys: TenantApiKeysTable;
  operators: OperatorsTable;
  oauth_states: OAuthStatesTable;
  connections: ConnectionsTable;
  connection_events: ConnectionEventsTable;
  ad_accounts: AdAccountsTable;
  ad_spend: AdSpendTable;
  sync_runs: SyncRunsTable;
  tenant_spend_settings: TenantSpendSettingsTable;
  spend_restatements: SpendRestatementsTable;
  admin_login_links: AdminLoginLinksTable;
  admin_sessions: AdminSessionsTable;
  connect_links: ConnectLinksTable;
  onboarding_progress: OnboardingProgressTable;
  capi_destinations: CapiDestinationsTable;
  capi_dead_letters: CapiDeadLettersTable;
  capi_delivery_days: CapiDeliveryDaysTable;
  klaviyo_syncs: KlaviyoSyncsTable;
  klaviyo_groups: KlaviyoGroupsTable;
  klaviyo_segment_members: KlaviyoSegmentMembersTable;
  klaviyo_segment_changes: KlaviyoSegmentChangesTable;
  klaviyo_catalog_items: KlaviyoCatalogItemsTable;
  klaviyo_product_mappings: KlaviyoProductMappingsTable;
  klaviyo_list_jobs: KlaviyoListJobsTable;
}

export type Tenant = Selectable<TenantsTable>;
export type Operator = Selectable<OperatorsTable>;
export type OAuthState = Selectable<OAuthStatesTable>;
export type Connection = Selectable<ConnectionsTable>;
export type NewConnection = Insertable<ConnectionsTable>;
export type ConnectionUpdate = Updateable<ConnectionsTable>;
export type ConnectionEvent = Selectable<ConnectionEventsTable>;
export type AdAccount = Selectable<AdAccountsTable>;
export type AdSpendRow = Selectable<AdSpendTable>;
export type SyncRun = Selectable<SyncRunsTable>;
export type TenantApiKey = Selectable<TenantApiKeysTable>;
export type AdminSession = Selectable<AdminSessionsTable>;
export type AdminLoginLink = Selectable<AdminLoginLinksTable>;
export type ConnectLink = Selectable<ConnectLinksTable>;
export type CapiDestination = Selectable<CapiDestinationsTable>;
export type CapiDestinationUpdate = Updateable<CapiDestinationsTable>;
export type CapiDeadLetter = Selectable<CapiDeadLettersTable>;
export type KlaviyoSync = Selectable<KlaviyoSyncsTable>;
export type KlaviyoGroup = Selectable<KlaviyoGroupsTable>;
export type KlaviyoSegmentChange = Selectable<KlaviyoSegmentChangesTable>;
export type KlaviyoCatalogItem = Selectable<KlaviyoCatalogItemsTable>;
export type KlaviyoProductMapping = Selectable<KlaviyoProductMappingsTable>;
export type KlaviyoListJob = Selectable<KlaviyoListJobsTable>;
export type KlaviyoListJobUpdate = Updateable<KlaviyoListJobsTable>;
