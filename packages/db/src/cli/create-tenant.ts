// `pnpm tenant:create --name "Acme Store" [--key-name default]`: creates a tenant and its first API key,
// printed once. Only the key's hash is stored. With `--api-key KEY` (local runs) the key is given, and a
// tenant that already holds it is left as it is.

import { parseArgs } from 'node:util';
import { loadConfigOrExit, migrateConfigSchema } from '@adsync/config';
import { createDatabase } from '../create-database.ts';
import { createTenantWithKey, ensureTenantWithKey } from '../tenant-keys.ts';

const usage = 'usage: tenant:create --name NAME [--key-name KEY_NAME] [--api-key adsync_…]';

async function main(): Promise<number> {
  let args: { name?: string; 'key-name'?: string; 'api-key'?: string };
  try {
    args = parseArgs({
      options: { name: { type: 'string' }, 'key-name': { type: 'string' }, 'api-key': { type: 'string' } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const name = args.name?.trim() ?? '';
  if (name.length < 1 || name.length > 200) {
    console.error(`--name must be 1 to 200 characters\n${usage}`);
    return 2;
  }
  const givenKey = args['api-key'];
  if (givenKey !== undefined && !/^adsync_[A-Za-z0-9_-]{16,}$/.test(givenKey)) {
    console.error(`--api-key must be adsync_ followed by at least 16 letters, digits, _ or -\n${usage}`);
    return 2;
  }
  const config = loadConfigOrExit(migrateConfigSchema, 'tenant:create');
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-cli' });
  try {
    if (givenKey !== undefined) {
      const { tenantId, created } = await ensureTenantWithKey(db, {
        name,
        keyName: args['key-name'] ?? 'default',
        apiKey: givenKey,
      });
      console.log(created ? `tenant ${name} created: ${tenantId}` : `tenant ${tenantId} already holds this key.`);
      return 0;
    }
    const { tenant, apiKey } = await createTenantWithKey(db, { name, keyName: args['key-name'] ?? 'default' });
    console.log(`tenant ${tenant.name} created: ${tenant.id}`);
    console.log(`API key (shown once, store it now): ${apiKey}`);
    console.log('Send it as "Authorization: Bearer <key>" to the gateway API.');
    return 0;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
