// Writing a newly authorized connection, whatever the method (OAuth or Klaviyo key), in one transaction:
// the connection row (same id on reconnect), its sealed credentials, the discovered accounts, the audit
// event. Then, once committed, the first syncs when the connection is active.

import { randomUUID } from 'node:crypto';
import { type ConnectionKey, firstCredentialCheckAt, refreshTimingFrom } from '@adsync/connections';
import {
  type Connection,
  type ConnectionUpdate,
  type DiscoveredAdAccount,
  findConnectionByProvider,
  insertConnection,
  listAdAccounts,
  recordConnectionEvent,
  setSelectedAdAccounts,
  updateConnection,
  upsertAdAccounts,
} from '@adsync/db';
import type { ProviderId } from '@adsync/providers';
import type { GatewayDeps } from '../gateway-deps.ts';
import { enqueueFirstSyncs } from './first-syncs.ts';

export interface NewAuthorization {
  tenantId: string;
  provider: ProviderId;
  authMethod: 'oauth' | 'api_key';
  /** The sealed credential columns; sealing needs the connection id, known only inside the transaction. */
  credentials: (key: ConnectionKey) => ConnectionUpdate;
  accounts: readonly DiscoveredAdAccount[];
  missingScopes: readonly string[];
}

export async function storeConnection(
  deps: GatewayDeps,
  input: NewAuthorization,
): Promise<{ connection: Connection; reconnected: boolean }> {
  const stored = await deps.db.transaction().execute(async (trx) => {
    const existing = await findConnectionByProvider(trx, { tenantId: input.tenantId, provider: input.provider });
    const connectionId = existing?.id ?? randomUUID();
    const key = { tenantId: input.tenantId, connectionId };
    if (existing === undefined) {
      await insertConnection(trx, {
        id: connectionId,
        tenant_id: input.tenantId,
        provider: input.provider,
        auth_method: input.authMethod,
        status: 'pending',
      });
    }
    // A single account needs no choosing; with several, the admin picks (selections survive a reconnect).
    await upsertAdAccounts(trx, { ...key, provider: input.provider }, input.accounts, () => false);
    const [only] = input.accounts;
    if (input.accounts.length === 1 && only !== undefined) await setSelectedAdAccounts(trx, key, [only.externalId]);
    const anySelected = (await listAdAccounts(trx, key)).some((account) => account.selected);
    const scopeWarning =
      input.missingScopes.length === 0
        ? { last_error_code: null, last_error_message: null, last_error_at: null }
        : {
            last_error_code: 'missing_scopes',
            last_error_message: `These permissions were declined: ${input.missingScopes.join(', ')}. Reconnect and allow them.`,
            last_error_at: new Date(),
          };
    const credentials = input.credentials(key);
    const now = Date.now();
    const connection = await updateConnection(trx, key, {
      ...credentials,
      next_refresh_at: firstCredentialCheckAt(
        {
          provider: input.provider,
          accessTokenExpiresAt: credentials.access_token_expires_at ?? null,
          hasRefreshToken: credentials.refresh_token_ciphertext != null,
        },
        refreshTimingFrom(deps.config),
        now,
      ),
      ...scopeWarning,
      auth_method: input.authMethod,
      status: anySelected ? 'active' : 'pending',
      credentials_version: (existing?.credentials_version ?? 0) + 1,
      consecutive_failures: 0,
      last_refreshed_at: new Date(now),
      disconnected_at: null,
    });
    if (connection === undefined) throw new Error('the connection vanished inside its own transaction');
    await recordConnectionEvent(trx, {
      ...key,
      type: existing === undefined ? 'connected' : 'reconnected',
      message: anySelected ? 'Connected.' : 'Connected; waiting for the admin to choose ad accounts.',
      detail: {
        authMethod: input.authMethod,
        accounts: input.accounts.length,
        missingScopes: [...input.missingScopes],
      },
    });
    return { connection, reconnected: existing !== undefined };
  });
  if (stored.connection.status === 'active') {
    const key = { tenantId: input.tenantId, connectionId: stored.connection.id };
    const selected = (await listAdAccounts(deps.db, key)).filter((account) => account.selected);
    await enqueueFirstSyncs(deps, stored.connection, selected);
  }
  return stored;
}
