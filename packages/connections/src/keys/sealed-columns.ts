// Every column that holds a value sealed with ENCRYPTION_KEYS, and the seal context each value was sealed
// with: what key rotation walks. A context here must be exactly the one its writer uses, or the value does
// not open; the comment on each names that writer. A test keeps this list equal to the schema's
// `*_ciphertext` columns, and the key-rotation drill opens every column through its writer's own code.

import type { SealContext } from '@adsync/crypto';
import { type SealedColumnRef, sealedColumnRef } from '@adsync/db';
import { webhookSecretContext } from '../webhooks/webhook-signature.ts';

export interface SealedColumn {
  readonly ref: SealedColumnRef;
  /** The context the value was sealed with, from the row's key and `reads` columns. */
  context(row: Readonly<Record<string, string>>): SealContext;
  /**
   * How a row is named in reports. The key, except where the key itself should not be printed whole (an
   * OAuth state's nonce): a prefix is enough to find the row.
   */
  label(row: Readonly<Record<string, string>>): string;
}

/** A row's column that must be there: the catalog and its ref are written together, so a miss is a bug. */
function read(row: Readonly<Record<string, string>>, name: string): string {
  const value = row[name];
  if (value === undefined) throw new Error(`sealed column catalog: column ${name} was not read`);
  return value;
}

const byId = (row: Readonly<Record<string, string>>) => read(row, 'id');

/** A connection's credentials (credentials.ts: sealedTokenColumns, sealedApiKeyColumns). */
function connectionCredential(
  column: 'access_token_ciphertext' | 'refresh_token_ciphertext' | 'api_key_ciphertext',
  field: string,
): SealedColumn {
  return {
    ref: sealedColumnRef({ table: 'connections', column, key: 'id', reads: ['tenant_id'] }),
    context: (row) => ({ tenantId: read(row, 'tenant_id'), connectionId: read(row, 'id'), field }),
    label: byId,
  };
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  connectionCredential('access_token_ciphertext', 'access_token'),
  connectionCredential('refresh_token_ciphertext', 'refresh_token'),
  connectionCredential('api_key_ciphertext', 'api_key'),
  {
    // The tenant's webhook signing secret (webhook-signature.ts).
    ref: sealedColumnRef({ table: 'tenants', column: 'webhook_secret_ciphertext', key: 'id', reads: [] }),
    context: (row) => webhookSecretContext(read(row, 'id')),
    label: byId,
  },
  {
    // A destination's dedicated token, bound to the destination row (@adsync/events deliver-events.ts,
    // DESTINATION_TOKEN_FIELD; sealed by the gateway's destinations.route.ts).
    ref: sealedColumnRef({
      table: 'capi_destinations',
      column: 'access_token_ciphertext',
      key: 'id',
      reads: ['tenant_id'],
    }),
    context: (row) => ({
      tenantId: read(row, 'tenant_id'),
      connectionId: read(row, 'id'),
      field: 'capi_access_token',
    }),
    label: byId,
  },
  {
    // A dead-lettered event, bound to its destination (@adsync/events dead-letters.ts).
    ref: sealedColumnRef({
      table: 'capi_dead_letters',
      column: 'payload_ciphertext',
      key: 'id',
      reads: ['tenant_id', 'destination_id'],
    }),
    context: (row) => ({
      tenantId: read(row, 'tenant_id'),
      connectionId: read(row, 'destination_id'),
      field: 'capi_dead_letter',
    }),
    label: byId,
  },
  {
    // A Klaviyo list job's profiles, bound to the job (@adsync/klaviyo list-jobs.ts: sealListProfiles).
    ref: sealedColumnRef({
      table: 'klaviyo_list_jobs',
      column: 'profiles_ciphertext',
      key: 'id',
      reads: ['tenant_id'],
    }),
    context: (row) => ({
      tenantId: read(row, 'tenant_id'),
      connectionId: read(row, 'id'),
      field: 'klaviyo_list_profiles',
    }),
    label: byId,
  },
  {
    // An OAuth flow's PKCE verifier, bound to its state (the gateway's connections/oauth-flow.ts).
    ref: sealedColumnRef({
      table: 'oauth_states',
      column: 'pkce_verifier_ciphertext',
      key: 'nonce',
      reads: ['tenant_id'],
    }),
    context: (row) => ({
      tenantId: read(row, 'tenant_id'),
      connectionId: `oauth-state:${read(row, 'nonce')}`,
      field: 'pkce_verifier',
    }),
    // The nonce is what a callback's signed state names; the first characters find the row.
    label: (row) => `nonce ${read(row, 'nonce').slice(0, 8)}…`,
  },
];

/** `table.column`, as reports name a sealed column. */
export function sealedColumnName(column: SealedColumn): string {
  return `${column.ref.table}.${column.ref.column}`;
}
