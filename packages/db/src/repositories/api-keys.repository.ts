// Tenant API keys: shown once at creation, stored as a SHA-256 hash, revocable. A key reaches exactly one tenant.

import type { Db } from '../create-database.ts';
import type { TenantApiKey } from '../schema.ts';
import { endSessionsIn, voidSignInLinks } from './admin-sessions.repository.ts';

export async function insertApiKey(
  db: Db,
  values: { tenantId: string; name: string; keyPrefix: string; keyHash: string },
): Promise<TenantApiKey> {
  return db
    .insertInto('tenant_api_keys')
    .values({ tenant_id: values.tenantId, name: values.name, key_prefix: values.keyPrefix, key_hash: values.keyHash })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** How stale `last_used_at` may get: it tells a brand which keys are in use, not each request. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * The tenant a live (not revoked) key belongs to. A lookup only reads: an unknown key costs no write, and
 * a known key's `last_used_at` is written at most once a minute.
 */
export async function useApiKey(db: Db, keyHash: string): Promise<{ tenantId: string; keyId: string } | undefined> {
  const row = await db
    .selectFrom('tenant_api_keys')
    .select(['tenant_id', 'id', 'last_used_at'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const now = new Date();
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_PRECISION_MS) {
    await db.updateTable('tenant_api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { tenantId: row.tenant_id, keyId: row.id };
}

export async function listApiKeys(db: Db, tenantId: string): Promise<TenantApiKey[]> {
  return db.selectFrom('tenant_api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
}

/**
 * Revokes one of the tenant's keys and, in the same transaction, ends every session it opened (and the
 * sessions their login links opened) and voids its unused login and connect links. False when the tenant
 * has no such live key.
 */
export async function revokeApiKey(db: Db, key: { tenantId: string; keyId: string }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('tenant_api_keys')
      .set({ revoked_at: new Date() })
      .where('tenant_id', '=', key.tenantId)
      .where('id', '=', key.keyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return false;
    await endSessionsIn(trx, key.tenantId, { apiKeyId: key.keyId });
    await voidSignInLinks(trx, key.tenantId, key.keyId);
    return true;
  });
}
