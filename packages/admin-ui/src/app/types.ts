// The parts of the gateway's JSON answers that the page reads (the OpenAPI document at /docs has all).

export interface AdAccountView {
  id: string;
  externalId: string;
  name: string;
  currency: string;
  timezone: string;
  selected: boolean;
}

export interface ConnectionView {
  id: string;
  provider: string;
  status: 'pending' | 'active' | 'needs_reauth' | 'degraded' | 'disconnected';
  authMethod: string;
  accounts: AdAccountView[];
  accessTokenExpiresAt: string | null;
  renewsAutomatically: boolean;
  expiryWarning: { expiresAt: string; daysLeft: number } | null;
  refreshing: boolean;
  lastRefreshedAt: string | null;
  lastSyncedAt: string | null;
  lastError: { code: string; message: string | null; at: string | null } | null;
  connectedAt: string;
  disconnectedAt: string | null;
}

export interface OnboardingProgress {
  steps: {
    step: number;
    provider: string;
    status: 'not_started' | 'connected' | 'skipped';
    connectionId?: string;
    connectionStatus?: string;
  }[];
  next: { step: number; provider: string } | null;
  complete: boolean;
}

export interface SpendAmount {
  spendMicros: string;
  currency: string;
  impressions: string;
  clicks: string;
}

export interface DailySpend extends SpendAmount {
  date: string;
  provider: string;
}

export interface RegionSpend extends SpendAmount {
  provider: string;
  region: string;
}

export interface DeliveryStats {
  days: number;
  since: string;
  destinations: {
    destinationId: string;
    name: string;
    provider: string;
    enabled: boolean;
    waiting: number;
    delivered: number;
    deadLettered: number;
    openDeadLetters: number;
    lastDeliveredAt: string | null;
    lastError: { code: string; message: string | null; at: string | null } | null;
    daily: { day: string; delivered: number; deadLettered: number }[];
  }[];
}

export interface DeadLetter {
  id: string;
  destinationId: string;
  eventId: string;
  eventName: string;
  eventTime: string;
  reason: { code: string; message: string };
  status: 'dead' | 'replayed';
  failures: number;
  failedAt: string;
}

export interface KlaviyoGroup {
  id: string;
  klaviyoId: string;
  name: string;
  memberCount?: number | null;
  membersSyncedAt?: string | null;
}

export interface KlaviyoSync {
  id: string;
  scope: string;
  status: string;
  counts: Record<string, number> | null;
  startedAt: string;
  finishedAt: string | null;
  error?: { code: string; message: string | null };
}

export interface ProductMapping {
  productRef: string;
  catalogItemId: string;
  catalogItem: { title: string; externalId: string } | null;
  status: 'mapped' | 'catalog_item_missing';
}

export interface CatalogItem {
  id: string;
  externalId: string;
  title: string;
  mappedProducts: string[];
}
