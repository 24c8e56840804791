// Brand admins' browser sessions and the single-use login links that open them. Cookies, CSRF tokens and
// link tokens are stored only as hashes. Each session and link records the API key behind it (revoking the
// key ends them, see api-keys.repository) and, for links, the session that minted them (ending a session
// ends the sessions its links opened, and voids its links).

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { AdminLoginLink, AdminSession, AdminSessionOrigin } from '../schema.ts';

export async function insertLoginLink(
  db: Db,
  values: {
    tokenHash: string;
    tenantId: string;
    apiKeyId: string | null;
    sessionId: string | null;
    nextPath: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('admin_login_links')
    .values({
      token_hash: values.tokenHash,
      tenant_id: values.tenantId,
      api_key_id: values.apiKeyId,
      session_id: values.sessionId,
      next_path: values.nextPath,
      expires_at: values.expiresAt,
    })
    .execute();
}

/** A link that can still be used (not used, not expired), without using it. */
export async function findUsableLoginLink(db: Db, tokenHash: string): Promise<AdminLoginLink | undefined> {
  return db
    .selectFrom('admin_login_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

/** Uses the link up (once, before it expires) and returns it. */
export async function consumeLoginLink(db: Db, tokenHash: string): Promise<AdminLoginLink | undefined> {
  return db
    .updateTable('admin_login_links')
    .set({ consumed_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
}

/**
 * Inserts a session, only while the API key behind it is live: the key's row is locked for share, so a
 * revocation running at the same moment either comes first (no session) or ends this one too.
 */
export async function insertAdminSession(
  db: Db,
  values: {
    tenantId: string;
    tokenHash: string;
    csrfTokenHash: string;
    apiKeyId: string | null;
    parentSessionId: string | null;
    openedVia: AdminSessionOrigin;
    userAgent: string | null;
    clientIp: string | null;
    expiresAt: Date;
  },
): Promise<AdminSession | undefined> {
  return db.transaction().execute(async (trx) => {
    if (values.apiKeyId !== null) {
      const key = await trx
        .selectFrom('tenant_api_keys')
        .select('id')
        .where('id', '=', values.apiKeyId)
        .where('tenant_id', '=', values.tenantId)
        .where('revoked_at', 'is', null)
        .forShare()
        .executeTakeFirst();
      if (key === undefined) return undefined;
    }
    return trx
      .insertInto('admin_sessions')
      .values({
        tenant_id: values.tenantId,
        token_hash: values.tokenHash,
        csrf_token_hash: values.csrfTokenHash,
        api_key_id: values.apiKeyId,
        parent_session_id: values.parentSessionId,
        opened_via: values.openedVia,
        user_agent: values.userAgent?.slice(0, 300) ?? null,
        client_ip: values.clientIp?.slice(0, 64) ?? null,
        expires_at: values.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
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

/** Ends one session only (signing out); see endAdminSessions for ending a session and what it opened. */
export async function revokeAdminSession(db: Db, sessionId: string): Promise<void> {
  await db
    .updateTable('admin_sessions')
    .set({ revoked_at: new Date() })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export interface LiveAdminSession extends AdminSession {
  api_key_name: string | null;
  api_key_prefix: string | null;
}

/** The tenant's live sessions, newest first, with the name and prefix of the key behind each. */
export async function listLiveAdminSessions(db: Db, tenantId: string): Promise<LiveAdminSession[]> {
  return db
    .selectFrom('admin_sessions')
    .leftJoin('tenant_api_keys', 'tenant_api_keys.id', 'admin_sessions.api_key_id')
    .selectAll('admin_sessions')
    .select(['tenant_api_keys.name as api_key_name', 'tenant_api_keys.key_prefix as api_key_prefix'])
    .where('admin_sessions.tenant_id', '=', tenantId)
    .where('admin_sessions.revoked_at', 'is', null)
    .where('admin_sessions.expires_at', '>', new Date())
    .orderBy('admin_sessions.created_at', 'desc')
    .orderBy('admin_sessions.id')
    .execute();
}

/**
 * Ends sessions of the tenant — `which` picks them — together with every session their login links opened
 * (at any depth), and voids the login and connect links any of them minted. Returns the ids it ended.
 */
export async function endAdminSessions(db: Db, tenantId: string, which: SessionChoice): Promise<string[]> {
  return db.transaction().execute((trx) => endSessionsIn(trx, tenantId, which));
}

type SessionChoice = { sessionIds: readonly string[] } | { allBut: string | null } | { apiKeyId: string };

/** endAdminSessions inside a transaction the caller holds (a key revocation). */
export async function endSessionsIn(trx: Db, tenantId: string, which: SessionChoice): Promise<string[]> {
  let roots = trx
    .selectFrom('admin_sessions')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null);
  if ('sessionIds' in which) {
    if (which.sessionIds.length === 0) return [];
    roots = roots.where('id', 'in', [...which.sessionIds]);
  } else if ('apiKeyId' in which) {
    roots = roots.where('api_key_id', '=', which.apiKeyId);
  } else if (which.allBut !== null) {
    roots = roots.where('id', '!=', which.allBut);
  }
  const rootIds = (await roots.execute()).map((row) => row.id);
  if (rootIds.length === 0) return [];
  const ended = await sql<{ id: string }>`
    WITH RECURSIVE family (id) AS (
      SELECT id FROM admin_sessions WHERE id = ANY(${rootIds}::uuid[])
      UNION
      SELECT child.id FROM admin_sessions child JOIN family ON child.parent_session_id = family.id
        WHERE child.tenant_id = ${tenantId}
    )
    UPDATE admin_sessions SET revoked_at = now()
    WHERE id IN (SELECT id FROM family) AND revoked_at IS NULL
    RETURNING id`.execute(trx);
  const endedIds = ended.rows.map((row) => row.id);
  if (endedIds.length > 0) {
    const now = new Date();
    for (const table of ['admin_login_links', 'connect_links'] as const) {
      await trx
        .updateTable(table)
        .set({ consumed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('session_id', 'in', endedIds)
        .where('consumed_at', 'is', null)
        .execute();
    }
  }
  return endedIds;
}

/** Voids the tenant's unused login and connect links; with `apiKeyId`, only those behind that key. */
export async function voidSignInLinks(db: Db, tenantId: string, apiKeyId?: string): Promise<number> {
  let voided = 0;
  for (const table of ['admin_login_links', 'connect_links'] as const) {
    let query = db
      .updateTable(table)
      .set({ consumed_at: new Date() })
      .where('tenant_id', '=', tenantId)
      .where('consumed_at', 'is', null);
    if (apiKeyId !== undefined) query = query.where('api_key_id', '=', apiKeyId);
    voided += Number((await query.executeTakeFirst()).numUpdatedRows);
  }
  return voided;
}
