// Issuing tenant API keys: `adsync_<base64url of 32 random bytes>`, shown once, stored as a SHA-256 hash
// with a short prefix for telling keys apart in lists.

import { generateToken, hashToken } from '@adsync/crypto';
import type { Db } from './create-database.ts';
import { insertApiKey, useApiKey } from './repositories/api-keys.repository.ts';
import { createTenant } from './repositories/tenants.repository.ts';
import type { Tenant, TenantApiKey } from './schema.ts';

export const API_KEY_PREFIX = 'adsync';
/** `adsync_` plus six characters: enough to tell keys apart, far too little to guess one. */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 7;

export async function issueApiKey(
  db: Db,
  values: { tenantId: string; name: string },
): Promise<{ record: TenantApiKey; apiKey: string }> {
  const apiKey = generateToken(API_KEY_PREFIX);
  const record = await insertApiKey(db, {
    tenantId: values.tenantId,
    name: values.name,
    keyPrefix: apiKey.slice(0, SHOWN_PREFIX_LENGTH),
    keyHash: hashToken(apiKey),
  });
  return { record, apiKey };
}

export async function createTenantWithKey(
  db: Db,
  values: { name: string; keyName: string },
): Promise<{ tenant: Tenant; apiKey: string }> {
  return db.transaction().execute(async (trx) => {
    const tenant = await createTenant(trx, { name: values.name });
    const { apiKey } = await issueApiKey(trx, { tenantId: tenant.id, name: values.keyName });
    return { tenant, apiKey };
  });
}

/**
 * The tenant a given key belongs to, creating both when the key is new: for local runs, where the
 * launcher wants the same known key on every start.
 */
export async function ensureTenantWithKey(
  db: Db,
  values: { name: string; keyName: string; apiKey: string },
): Promise<{ tenantId: string; created: boolean }> {
  const existing = await useApiKey(db, hashToken(values.apiKey));
  if (existing !== undefined) return { tenantId: existing.tenantId, created: false };
  return db.transaction().execute(async (trx) => {
    const tenant = await createTenant(trx, { name: values.name });
    await insertApiKey(trx, {
      tenantId: tenant.id,
      name: values.keyName,
      keyPrefix: values.apiKey.slice(0, SHOWN_PREFIX_LENGTH),
      keyHash: hashToken(values.apiKey),
    });
    return { tenantId: tenant.id, created: true };
  });
}
