// `pnpm sessions:end --tenant TENANT_ID`: for an operator, when a brand's browser sessions must end now (a
// stolen laptop, an admin who left): every live session of the tenant ends, with every unused login and
// connect link. API keys are left alone: revoke those with DELETE /v1/api-keys/{id} (which ends their
// sessions too).

import { parseArgs } from 'node:util';
import { loadConfigOrExit, migrateConfigSchema } from '@adsync/config';
import { createDatabase } from '../create-database.ts';
import { endAdminSessions, voidSignInLinks } from '../repositories/admin-sessions.repository.ts';
import { findTenant } from '../repositories/tenants.repository.ts';

const usage = 'usage: sessions:end --tenant TENANT_ID';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<number> {
  let args: { tenant?: string };
  try {
    args = parseArgs({ options: { tenant: { type: 'string' } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const tenantId = args.tenant?.trim() ?? '';
  if (!UUID.test(tenantId)) {
    console.error(`--tenant must be a tenant id (a UUID)\n${usage}`);
    return 2;
  }
  const config = loadConfigOrExit(migrateConfigSchema, 'sessions:end');
  const db = createDatabase({ url: config.DATABASE_URL, poolMax: 1, applicationName: 'adsync-cli' });
  try {
    const tenant = await findTenant(db, tenantId);
    if (tenant === undefined) {
      console.error(`no tenant ${tenantId}`);
      return 1;
    }
    const ended = await endAdminSessions(db, tenantId, { allBut: null });
    const voided = await voidSignInLinks(db, tenantId);
    console.log(`${tenant.name}: ${ended.length} session(s) ended, ${voided} unused login or connect link(s) voided.`);
    return 0;
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main();
