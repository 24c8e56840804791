// Brand admins' browser sessions. A tenant's backend mints a single-use login link; opening it starts a
// session whose cookie and CSRF token are stored only as hashes.

import type { Db } from '../create-database.ts';
import type { AdminSession } from '../schema.ts';

export async function insertLoginLink(
  db: Db,
  values: { tokenHash: string; tenantId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('admin_login_links')
    .values({ token_hash: values.tokenHash, tenant_id: values.tenantId, expires_at: values.expiresAt })
    .execute();
}

/** Uses the link up (once, before it expires) and returns its tenant. */
export async function consumeLoginLink(db: Db, tokenHash: string): Promise<string | undefined> {
  const row = await db
    .updateTable('admin_login_links')
    .set({ consumed_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returning('tenant_id')
    .executeTakeFirst();
  return row?.tenant_id;
}

export async function insertAdminSession(
  db: Db,
  values: { tenantId: string; tokenHash: string; csrfTokenHash: string; expiresAt: Date },
): Promise<AdminSession> {
  return db
    .insertInto('admin_sessions')
    .values({
      tenant_id: values.tenantId,
      token_hash: values.tokenHash,
      csrf_token_hash: values.csrfTokenHash,
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findLiveAdminSession(db: Db, tokenHash: string): Promise<AdminSession | undefined> {
  return db
    .selectFrom('admin_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function revokeAdminSession(db: Db, sessionId: string): Promise<void> {
  await db.updateTable('admin_sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).execute();
}
