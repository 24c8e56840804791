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
      expires_at: values.expiresAt,
    })
    .execute();
}

/**
 * Marks the state used and returns it, in one statement, so two callbacks racing with the same state
 * cannot both succeed. Returns undefined when the state is unknown, expired, already used, or bound to
 * another tenant or provider.
 */
export async function consumeOAuthState(
  db: Db,
  claim: { nonce: string; tenantId: string; provider: Provider },
): Promise<OAuthState | undefined> {
  return db
    .updateTable('oauth_states')
    .set({ consumed_at: new Date() })
    .where('nonce', '=', claim.nonce)
    .where('tenant_id', '=', claim.tenantId)
    .where('provider', '=', claim.provider)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
}

/** Removes states that can no longer be used; returns how many. */
export async function deleteExpiredOAuthStates(db: Db, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('oauth_states').where('expires_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
