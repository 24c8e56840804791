// Tenants: the brands that use adsync. Everything else a tenant owns hangs off its id.

import type { Db } from '../create-database.ts';
import type { Tenant } from '../schema.ts';

export async function createTenant(db: Db, values: { name: string; webhookUrl?: string | null }): Promise<Tenant> {
  return db
    .insertInto('tenants')
    .values({ name: values.name, webhook_url: values.webhookUrl ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
}

export async function setTenantWebhook(
  db: Db,
  tenantId: string,
  webhook: { url: string; secretCiphertext: string } | null,
): Promise<void> {
  await db
    .updateTable('tenants')
    .set({
      webhook_url: webhook?.url ?? null,
      webhook_secret_ciphertext: webhook?.secretCiphertext ?? null,
      updated_at: new Date(),
    })
    .where('id', '=', tenantId)
    .execute();
}
