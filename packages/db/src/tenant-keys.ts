// Issuing tenant API keys: `adsync_<base64url of 32 random bytes>`, shown once, stored as a SHA-256 hash
// with a short prefix for telling keys apart in lists.

import { generateToken, hashToken } from '@adsync/crypto';
import type { Db } from './create-database.ts';
import { insertApiKey } from './repositories/api-keys.repository.ts';
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
