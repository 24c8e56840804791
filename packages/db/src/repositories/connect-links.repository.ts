// Connect links: a single-use link that starts one platform's connect flow in the browser that opens it.
// A tenant's backend mints one with its API key and sends it to a brand admin; the platform's consent URL
// is never handed out, since whoever opens that URL would connect into the tenant that started it.

import type { Db } from '../create-database.ts';
import type { ConnectLink, Provider } from '../schema.ts';

export async function insertConnectLink(
  db: Db,
  values: {
    tokenHash: string;
    tenantId: string;
    provider: Provider;
    returnUrl: string | null;
    apiKeyId: string | null;
    sessionId: string | null;
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('connect_links')
    .values({
      token_hash: values.tokenHash,
      tenant_id: values.tenantId,
      provider: values.provider,
      return_url: values.returnUrl,
      api_key_id: values.apiKeyId,
      session_id: values.sessionId,
      expires_at: values.expiresAt,
    })
    .execute();
}

/** A link that can still be used, without using it. */
export async function findUsableConnectLink(db: Db, tokenHash: string): Promise<ConnectLink | undefined> {
  return db
    .selectFrom('connect_links')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
}

/** Uses the link up (once, before it expires) and returns it. */
export async function consumeConnectLink(db: Db, tokenHash: string): Promise<ConnectLink | undefined> {
  return db
    .updateTable('connect_links')
    .set({ consumed_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .returningAll()
    .executeTakeFirst();
}
