// What the Connections API shows of a connection: status, accounts, expiry, last refresh/sync/error.
// Built field by field from the row, so a credential column can never leak into a response.

import { EXPIRY_WARNING_DAYS } from '@adsync/connections';
import type { AdAccount, Connection } from '@adsync/db';

export interface ConnectionView {
  id: string;
  provider: string;
  status: string;
  authMethod: string;
  scopes: string[];
  accounts: { id: string; externalId: string; name: string; currency: string; timezone: string; selected: boolean }[];
  accessTokenExpiresAt: string | null;
  /** adsync renews access on its own (a refresh token or an API key); false for Meta-style tokens. */
  renewsAutomatically: boolean;
  /** A token that cannot be renewed without the brand (Meta's) lapses within the warning window. */
  expiryWarning: { expiresAt: string; daysLeft: number } | null;
  /** A refresh of this connection is running right now. */
  refreshing: boolean;
  lastRefreshedAt: string | null;
  lastSyncedAt: string | null;
  lastError: { code: string; message: string | null; at: string | null } | null;
  connectedAt: string;
  disconnectedAt: string | null;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

const DAY_MS = 86_400_000;

function expiryWarning(connection: Connection, now: number): ConnectionView['expiryWarning'] {
  const expiresAt = connection.access_token_expires_at;
  if (expiresAt === null || connection.refresh_token_ciphertext !== null || connection.status === 'disconnected') {
    return null;
  }
  const daysLeft = Math.max(0, Math.ceil((expiresAt.getTime() - now) / DAY_MS));
  return daysLeft <= Math.max(...EXPIRY_WARNING_DAYS) ? { expiresAt: expiresAt.toISOString(), daysLeft } : null;
}

export function connectionView(
  connection: Connection,
  accounts: readonly AdAccount[],
  options: { refreshing?: boolean; now?: number } = {},
): ConnectionView {
  return {
    id: connection.id,
    provider: connection.provider,
    status: connection.status,
    authMethod: connection.auth_method,
    scopes: connection.scopes,
    accounts: accounts
      .filter((account) => account.connection_id === connection.id)
      .map((account) => ({
        id: account.id,
        externalId: account.external_id,
        name: account.name,
        currency: account.currency,
        timezone: account.timezone,
        selected: account.selected,
      })),
    accessTokenExpiresAt: iso(connection.access_token_expires_at),
    renewsAutomatically: connection.auth_method === 'api_key' || connection.refresh_token_ciphertext !== null,
    expiryWarning: expiryWarning(connection, options.now ?? Date.now()),
    refreshing: options.refreshing ?? false,
    lastRefreshedAt: iso(connection.last_refreshed_at),
    lastSyncedAt: iso(connection.last_synced_at),
    lastError:
      connection.last_error_code === null
        ? null
        : {
            code: connection.last_error_code,
            message: connection.last_error_message,
            at: iso(connection.last_error_at),
          },
    connectedAt: connection.created_at.toISOString(),
    disconnectedAt: iso(connection.disconnected_at),
  };
}
