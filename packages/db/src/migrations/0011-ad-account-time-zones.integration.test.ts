// Migration 0011 on rows stored before it: those whose zone Postgres cannot use are deselected, marked and
// recorded, so the CHECK is validated and the nightly restatement query works again for everyone.

import { useTestEnvironment } from '@adsync/testing';
import { type Kysely, sql } from 'kysely';
import { expect, it } from 'vitest';
import {
  createTenant,
  findAccountsDueForRestatement,
  insertConnection,
  listAdAccounts,
  listConnectionEvents,
  setSelectedAdAccounts,
  upsertAdAccounts,
} from '../index.ts';
import * as adAccountTimeZones from './0011-ad-account-time-zones.ts';

const env = useTestEnvironment();

function account(externalId: string, timezone: string) {
  return { externalId, name: `Account ${externalId}`, currency: 'USD', timezone, managerExternalId: null };
}

function dueTonight() {
  return findAccountsDueForRestatement(env.db, { localHour: 0, now: new Date(), limit: 1_000 });
}

it('repairs stored zones Postgres cannot use: deselected, marked, recorded; the CHECK is validated', async () => {
  const tenant = await createTenant(env.db, { name: 'Stored before 0011' });
  const connection = await insertConnection(env.db, {
    tenant_id: tenant.id,
    provider: 'meta',
    auth_method: 'oauth',
    status: 'active',
  });
  const owner = { tenantId: tenant.id, connectionId: connection.id, provider: 'meta' as const };
  const db = env.db as unknown as Kysely<unknown>;
  // The table as it was before 0011, holding what it let in.
  await adAccountTimeZones.down(db);
  try {
    await upsertAdAccounts(
      env.db,
      owner,
      [account('act_10', 'Europe/London'), account('act_11', 'Mars/Olympus_Mons')],
      () => true,
    );
    await expect(dueTonight()).rejects.toThrow(/time zone "Mars\/Olympus_Mons" not recognized/);
  } finally {
    await adAccountTimeZones.up(db);
  }

  const rows = await listAdAccounts(env.db, owner);
  expect(rows.map((row) => [row.external_id, row.timezone, row.selected, row.status])).toEqual([
    ['act_10', 'Europe/London', true, 'active'],
    ['act_11', 'UTC', false, 'invalid_timezone'],
  ]);
  const { rows: constraints } = await sql<{ convalidated: boolean }>`
    SELECT convalidated FROM pg_constraint WHERE conname = 'ad_accounts_timezone_usable'`.execute(env.db);
  expect(constraints).toEqual([{ convalidated: true }]);
  const { events } = await listConnectionEvents(env.db, owner, { limit: 10 });
  expect(events.map((event) => [event.type, event.detail])).toEqual([
    ['time_zone_refused', { externalId: 'act_11', timezone: 'Mars/Olympus_Mons' }],
  ]);
  expect(events[0]?.message).toMatch(/^Ad account act_11 \(Account act_11\) has the time zone 'Mars\/Olympus_Mons'/);
  expect((await dueTonight()).map((row) => row.timezone)).toEqual(['Europe/London']);

  // The stand-in UTC is never synced: the account cannot be selected until discovery reports it again.
  expect(await setSelectedAdAccounts(env.db, owner, ['act_10', 'act_11'])).toHaveLength(1);
  await upsertAdAccounts(env.db, owner, [account('act_11', 'Pacific/Auckland')], () => true);
  const selected = await setSelectedAdAccounts(env.db, owner, ['act_10', 'act_11']);
  expect(selected.map((row) => [row.external_id, row.timezone, row.status])).toEqual([
    ['act_10', 'Europe/London', 'active'],
    ['act_11', 'Pacific/Auckland', 'active'],
  ]);
});
