// Sealing a connection's credentials: each value is bound to its tenant, connection and field, so a
// ciphertext copied to another row or column fails to open.

import { type Keyring, openSecret, sealSecret } from '@adsync/crypto';
import type { Connection, ConnectionUpdate } from '@adsync/db';
import type { TokenSet } from '@adsync/providers';

export interface ConnectionKey {
  tenantId: string;
  connectionId: string;
}

/** The credential columns of a connection for a fresh token set (its next check is planned by the caller:
 * refresh-policy.ts). */
export function sealedTokenColumns(keyring: Keyring, key: ConnectionKey, tokens: TokenSet): ConnectionUpdate {
  const seal = (value: string, field: string) => sealSecret(keyring, value, { ...key, field });
  return {
    access_token_ciphertext: seal(tokens.accessToken, 'access_token'),
    refresh_token_ciphertext: tokens.refreshToken === null ? null : seal(tokens.refreshToken, 'refresh_token'),
    api_key_ciphertext: null,
    access_token_expires_at: tokens.accessTokenExpiresAt,
    refresh_token_expires_at: tokens.refreshTokenExpiresAt,
    scopes: [...tokens.scopes],
    external_user_id: tokens.externalUserId,
  };
}

export function sealedApiKeyColumns(keyring: Keyring, key: ConnectionKey, apiKey: string): ConnectionUpdate {
  return {
    api_key_ciphertext: sealSecret(keyring, apiKey, { ...key, field: 'api_key' }),
    access_token_ciphertext: null,
    refresh_token_ciphertext: null,
    access_token_expires_at: null,
    refresh_token_expires_at: null,
  };
}

/** Every credential column emptied (disconnect); the audit trail stays. */
export const WIPED_CREDENTIALS: ConnectionUpdate = {
  access_token_ciphertext: null,
  refresh_token_ciphertext: null,
  api_key_ciphertext: null,
  access_token_expires_at: null,
  refresh_token_expires_at: null,
  next_refresh_at: null,
};

export function openCredential(keyring: Keyring, key: ConnectionKey, field: string, sealed: string): string {
  return openSecret(keyring, sealed, { ...key, field });
}

/** A connection's OAuth credentials, opened; undefined when it holds none (a Klaviyo key, a wiped one). */
export function openTokenSet(keyring: Keyring, connection: Connection): TokenSet | undefined {
  if (connection.access_token_ciphertext === null) return undefined;
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  return {
    accessToken: openCredential(keyring, key, 'access_token', connection.access_token_ciphertext),
    accessTokenExpiresAt: connection.access_token_expires_at,
    refreshToken:
      connection.refresh_token_ciphertext === null
        ? null
        : openCredential(keyring, key, 'refresh_token', connection.refresh_token_ciphertext),
    refreshTokenExpiresAt: connection.refresh_token_expires_at,
    scopes: connection.scopes,
    externalUserId: connection.external_user_id,
  };
}
