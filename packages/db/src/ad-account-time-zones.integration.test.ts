// Issue 19: one account's time zone that Postgres cannot use must not break the nightly restatement query,
// which reads every tenant's accounts at once: the table refuses such a zone (migration 0011).

import { useTestEnvironment } from '@adsync/testing';
import { expect, it } from 'vitest';
import {
  createTenant,
  findAccountsDueForRestatement,
  insertConnection,
  listAdAccounts,
  upsertAdAccounts,
} from './index.ts';

const env = useTestEnvironment();

async function connectedTenant(name: string) {
  const tenant = await createTenant(env.db, { name });
  const connection = await insertConnection(env.db, {
    tenant_id: tenant.id,
    provider: 'meta',
    auth_method: 'oauth',
    status: 'active',
  });
  return { tenantId: tenant.id, connectionId: connection.id, provider: 'meta' as const };
}

function account(externalId: string, timezone: string) {
  return { externalId, name: `Account ${externalId}`, currency: 'USD', timezone, managerExternalId: null };
}

/** Every account due tonight, whoever's it is (localHour 0: every local clock has passed midnight). */
function dueTonight() {
  return findAccountsDueForRestatement(env.db, { localHour: 0, now: new Date(), limit: 1_000 });
}

it('an unusable time zone is refused by the table; the nightly query still finds every tenant’s good accounts', async () => {
  const good = await connectedTenant('Good zones');
  const bad = await connectedTenant('Bad zone');
  await upsertAdAccounts(env.db, good, [account('act_1', 'Pacific/Auckland')], () => true);
  await upsertAdAccounts(env.db, bad, [account('act_2', 'Asia/Tokyo')], () => true);

  // A later discovery brings a bad zone along with a good account: the write fails whole.
  const refused = await upsertAdAccounts(
    env.db,
    bad,
    [account('act_3', 'America/New_York'), account('act_4', 'Mars/Olympus_Mons')],
    () => true,
  ).then(
    () => undefined,
    (error: unknown) => error,
  );

  const due = await dueTonight();
  expect(due.map((row) => [row.tenant_id, row.timezone]).sort()).toEqual(
    [
      [good.tenantId, 'Pacific/Auckland'],
      [bad.tenantId, 'Asia/Tokyo'],
    ].sort(),
  );
  expect(String(refused)).toMatch(/time zone "Mars\/Olympus_Mons" not recognized/);
  const stored = await listAdAccounts(env.db, { tenantId: bad.tenantId });
  expect(stored.map((row) => [row.external_id, row.timezone])).toEqual([['act_2', 'Asia/Tokyo']]);
});
