import { isDependencyUnavailable } from '@adsync/errors';
import { useTestEnvironment } from '@adsync/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  consumeOAuthState,
  createDatabase,
  createTenant,
  findConnection,
  insertConnection,
  insertOAuthState,
  isOAuthStatePending,
  listConnectionEvents,
  listConnections,
  migrateToLatest,
  recordConnectionEvent,
} from './index.ts';

const env = useTestEnvironment();

async function newConnection(tenantId: string) {
  return insertConnection(env.db, { tenant_id: tenantId, provider: 'google', auth_method: 'oauth', status: 'active' });
}

describe('the pool', () => {
  it('a connection cut while a transaction holds it fails that transaction, and does not crash the process', async () => {
    const failures: Error[] = [];
    const db = createDatabase({ url: env.databaseUrl, poolMax: 2, onConnectionError: (error) => failures.push(error) });
    try {
      const transaction = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // Postgres ends the connection while it is checked out and idle (as a restart does).
        await sql`SELECT pg_terminate_backend(${rows[0]?.pid})`.execute(env.db);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`SELECT 1`.execute(trx);
      });
      await expect(transaction).rejects.toSatisfy(isDependencyUnavailable);
      // Reported where the operator sees it (the server's message, then the socket's end).
      expect(failures[0]?.message).toBe('terminating connection due to administrator command');
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('migrations', () => {
  it('leave nothing pending on a cloned template, and running them again applies nothing', async () => {
    expect(await migrateToLatest(env.db)).toEqual({ applied: [] });
    const { rows } = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.execute(
      env.db,
    );
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'ad_accounts',
        'ad_spend',
        'connection_events',
        'connections',
        'oauth_states',
        'operators',
        'sync_runs',
        'tenant_api_keys',
        'tenants',
      ]),
    );
  });
});

describe('oauth states', () => {
  it('can be consumed once, by the tenant and provider they were issued for, before they expire', async () => {
    const tenant = await createTenant(env.db, { name: 'Acme' });
    const other = await createTenant(env.db, { name: 'Other' });
    const expiresAt = new Date(Date.now() + 600_000);
    const browserBindingHash = 'hash-of-the-browser-cookie';
    await insertOAuthState(env.db, {
      nonce: 'n-1',
      tenantId: tenant.id,
      provider: 'meta',
      browserBindingHash,
      expiresAt,
    });
    const claim = { nonce: 'n-1', tenantId: tenant.id, provider: 'meta', browserBindingHash } as const;

    expect(await consumeOAuthState(env.db, { ...claim, tenantId: other.id })).toBeUndefined();
    expect(await consumeOAuthState(env.db, { ...claim, provider: 'google' })).toBeUndefined();
    expect(await consumeOAuthState(env.db, { ...claim, browserBindingHash: 'another-browser' })).toBeUndefined();
    expect(await isOAuthStatePending(env.db, 'n-1')).toBe(true);

    const racers = await Promise.all(Array.from({ length: 5 }, () => consumeOAuthState(env.db, claim)));
    expect(racers.filter((row) => row !== undefined)).toHaveLength(1);
    expect(await isOAuthStatePending(env.db, 'n-1')).toBe(false);

    await insertOAuthState(env.db, {
      nonce: 'n-expired',
      tenantId: tenant.id,
      provider: 'meta',
      browserBindingHash,
      expiresAt: new Date(Date.now() - 1),
    });
    expect(await consumeOAuthState(env.db, { ...claim, nonce: 'n-expired' })).toBeUndefined();
  });
});

describe('connections', () => {
  it('are only found through their own tenant', async () => {
    const acme = await createTenant(env.db, { name: 'Acme' });
    const globex = await createTenant(env.db, { name: 'Globex' });
    const connection = await newConnection(acme.id);
    await recordConnectionEvent(env.db, { tenantId: acme.id, connectionId: connection.id, type: 'connected' });

    expect(await findConnection(env.db, { tenantId: acme.id, connectionId: connection.id })).toMatchObject({
      id: connection.id,
      credentials_version: 0,
      scopes: [],
    });
    expect(await findConnection(env.db, { tenantId: globex.id, connectionId: connection.id })).toBeUndefined();
    expect(await listConnections(env.db, globex.id)).toEqual([]);
    const page = { limit: 10 };
    expect(await listConnectionEvents(env.db, { tenantId: globex.id, connectionId: connection.id }, page)).toEqual({
      events: [],
      next: undefined,
    });
    expect(
      (await listConnectionEvents(env.db, { tenantId: acme.id, connectionId: connection.id }, page)).events,
    ).toHaveLength(1);
  });
});

describe('ad_spend', () => {
  it('upserts on (tenant, provider, account, date, hour, region) with NULL hour and region in the key', async () => {
    const tenant = await createTenant(env.db, { name: 'Spendy' });
    const connection = await newConnection(tenant.id);
    const account = await env.db
      .insertInto('ad_accounts')
      .values({
        tenant_id: tenant.id,
        connection_id: connection.id,
        provider: 'google',
        external_id: '1234567890',
        name: 'Main',
        currency: 'JPY',
        timezone: 'Pacific/Kiritimati',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const row = (spend: bigint) => ({
      tenant_id: tenant.id,
      provider: 'google' as const,
      ad_account_id: account.id,
      date: '2026-03-08',
      hour: null,
      region: null,
      spend_micros: spend,
      currency: 'JPY',
      impressions: 10n,
      clicks: 1n,
    });
    const upsert = (spend: bigint) =>
      env.db
        .insertInto('ad_spend')
        .values(row(spend))
        .onConflict((conflict) =>
          conflict.constraint('ad_spend_key').doUpdateSet((excluded) => ({
            spend_micros: excluded.ref('excluded.spend_micros'),
          })),
        )
        .execute();
    // Larger than 2^53: money must survive as an exact integer.
    await upsert(9_007_199_254_740_993n);
    await upsert(9_007_199_254_740_995n);
    const rows = await env.db.selectFrom('ad_spend').selectAll().where('tenant_id', '=', tenant.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.spend_micros).toBe(9_007_199_254_740_995n);
    // A DATE comes back as the same calendar day, whatever the process's time zone.
    expect(rows[0]?.date).toBe('2026-03-08');
  });
});
