// OAuth `state` rows. The signature proves a state came from us; this table makes it single-use.

import type { Db } from '../create-database.ts';
import type { OAuthState, Provider } from '../schema.ts';

export async function insertOAuthState(
  db: Db,
  values: {
    nonce: string;
    tenantId: string;
    provider: Provider;
    connectionId?: string | null;
    returnUrl?: string | null;
    pkceVerifierCiphertext?: string | null;
    browserBindingHash: string;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('oauth_states')
    .values({
      nonce: values.nonce,
      tenant_id: values.tenantId,
      provider: values.provider,
      connection_id: values.connectionId ?? null,
      return_url: values.returnUrl ?? null,
      pkce_verifier_ciphertext: values.pkceVerifierCiphertext ?? null,
      browser_binding_hash: values.browserBindingHash,
      expires_at: values.expiresAt,
    })
    .execute();
}

/**
 * Marks the state used and returns it, in one statement, so two callbacks racing with the same state
 * cannot both succeed. Returns undefined when the state is unknown, expired, already used, bound to another
 * tenant or provider, or started in another browser (`browserBindingHash` is the hash of the binding cookie
 * the callback brought).
 */
export async function consumeOAuthState(
  db: Db,
  claim: { nonce: string; tenantId: string; provider: Provider; browserBindingHash: string },
): Promise<OAuthState | undefined> {
  return db
    .updateTable('oauth_states')
    .set({ consumed_at: new Date() })
    .where('nonce', '=', claim.nonce)
    .where('tenant_id', '=', claim.tenantId)
    .where('provider', '=', claim.provider)
    .where('browser_binding_hash', '=', claim.browserBindingHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
}

/** Whether an unused, unexpired state with this nonce exists (to tell "another browser" from "used"). */
export async function isOAuthStatePending(db: Db, nonce: string): Promise<boolean> {
  const row = await db
    .selectFrom('oauth_states')
    .select('nonce')
    .where('nonce', '=', nonce)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  return row !== undefined;
}

/** Removes states that can no longer be used; returns how many. */
export async function deleteExpiredOAuthStates(db: Db, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('oauth_states').where('expires_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
