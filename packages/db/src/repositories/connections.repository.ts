// Connections: one tenant's link to one platform. Every read takes the tenant id, so a caller can never
// reach another tenant's connection by guessing an id.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { Connection, ConnectionEvent, ConnectionUpdate, NewConnection, Provider } from '../schema.ts';

export async function insertConnection(db: Db, values: NewConnection): Promise<Connection> {
  return db.insertInto('connections').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findConnection(
  db: Db,
  key: { tenantId: string; connectionId: string },
): Promise<Connection | undefined> {
  return db
    .selectFrom('connections')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.connectionId)
    .executeTakeFirst();
}

export async function listConnections(db: Db, tenantId: string): Promise<Connection[]> {
  return db
    .selectFrom('connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('provider')
    .orderBy('created_at')
    .execute();
}

export async function recordConnectionEvent(
  db: Db,
  event: { tenantId: string; connectionId: string; type: string; message?: string; detail?: Record<string, unknown> },
): Promise<ConnectionEvent> {
  return db
    .insertInto('connection_events')
    .values({
      tenant_id: event.tenantId,
      connection_id: event.connectionId,
      type: event.type,
      message: event.message ?? null,
      detail: event.detail ?? {},
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Where an event stands in the newest-first order: its created_at exactly as Postgres keeps it (to the
 * microsecond, as text) and its id. A JS Date keeps milliseconds only, and the events one transaction records
 * share one now(): a position rounded to the millisecond would skip them.
 */
export interface ConnectionEventPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC). */
  createdAt: string;
  id: string;
}

const POSITION_TIME = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * One page of a connection's events, newest first (created_at, then id), from `before` on, of the given types
 * when `types` is set. `next` is where the following page starts, when there is one. Served by
 * connection_events_keyset_idx (migration 0013), so a page costs its own rows whatever its depth.
 */
export async function listConnectionEvents(
  db: Db,
  key: { tenantId: string; connectionId: string },
  page: { limit: number; before?: ConnectionEventPosition | undefined; types?: readonly string[] | undefined },
): Promise<{ events: ConnectionEvent[]; next: ConnectionEventPosition | undefined }> {
  let query = db
    .selectFrom('connection_events')
    .selectAll()
    .select(sql<string>`to_char(created_at AT TIME ZONE 'UTC', ${sql.raw(POSITION_TIME)})`.as('position'))
    .where('tenant_id', '=', key.tenantId)
    .where('connection_id', '=', key.connectionId);
  if (page.types !== undefined) query = query.where('type', 'in', page.types);
  if (page.before !== undefined) {
    const { createdAt, id } = page.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::bigint)`);
  }
  // One row more than the page tells whether another page follows.
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const events = rows.slice(0, page.limit).map(({ position: _position, ...event }) => event);
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return { events, next: last === undefined ? undefined : { createdAt: last.position, id: String(last.id) } };
}

export async function findConnectionByProvider(
  db: Db,
  key: { tenantId: string; provider: Provider },
): Promise<Connection | undefined> {
  return db
    .selectFrom('connections')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('provider', '=', key.provider)
    .executeTakeFirst();
}

/** Updates the tenant's connection; undefined when the tenant has no such connection. */
export async function updateConnection(
  db: Db,
  key: { tenantId: string; connectionId: string },
  values: ConnectionUpdate,
): Promise<Connection | undefined> {
  return updateWhere(db, key, values);
}

/** The one UPDATE of a connection: scoped to the tenant, and to a credentials version when one is given. */
async function updateWhere(
  db: Db,
  key: { tenantId: string; connectionId: string; credentialsVersion?: number },
  values: ConnectionUpdate,
): Promise<Connection | undefined> {
  let query = db
    .updateTable('connections')
    .set({ ...values, updated_at: new Date() })
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.connectionId);
  if (key.credentialsVersion !== undefined) query = query.where('credentials_version', '=', key.credentialsVersion);
  return query.returningAll().executeTakeFirst();
}

/**
 * Updates the connection only if its credentials are still the version the caller read: the compare-and-swap
 * every credential write after a refresh goes through. Undefined when another writer got there first.
 */
export async function updateConnectionIfVersion(
  db: Db,
  key: { tenantId: string; connectionId: string; credentialsVersion: number },
  values: ConnectionUpdate,
): Promise<Connection | undefined> {
  return updateWhere(db, key, values);
}

/** Where a page of due connections ended, so the next page starts after it. */
export interface DueCursor {
  nextRefreshAt: Date;
  id: string;
}

/** Live (active or degraded) connections of one platform, in id order after `after` (keyset paging). */
export async function findLiveConnections(
  db: Db,
  options: { provider: Provider; limit: number; after?: string },
): Promise<Pick<Connection, 'id' | 'tenant_id'>[]> {
  let query = db
    .selectFrom('connections')
    .select(['id', 'tenant_id'])
    .where('provider', '=', options.provider)
    .where('status', 'in', ['active', 'degraded']);
  if (options.after !== undefined) query = query.where('id', '>', options.after);
  return query.orderBy('id').limit(options.limit).execute();
}

/**
 * Connections whose credentials are due for a refresh or health check, soonest first, one page at a time:
 * keyset paging on (next_refresh_at, id), an index range scan however many are due.
 */
export async function findDueConnections(
  db: Db,
  options: { now: Date; limit: number; after?: DueCursor },
): Promise<(Pick<Connection, 'id' | 'tenant_id' | 'provider'> & { next_refresh_at: Date })[]> {
  let query = db
    .selectFrom('connections')
    .select(['id', 'tenant_id', 'provider', 'next_refresh_at'])
    .where('status', 'in', ['active', 'degraded'])
    .where('next_refresh_at', 'is not', null)
    .where('next_refresh_at', '<=', options.now);
  const after = options.after;
  if (after !== undefined) {
    query = query.where(sql<boolean>`(next_refresh_at, id) > (${after.nextRefreshAt}, ${after.id}::uuid)`);
  }
  const rows = await query.orderBy('next_refresh_at').orderBy('id').limit(options.limit).execute();
  return rows.map((row) => ({ ...row, next_refresh_at: row.next_refresh_at as Date }));
}

export async function findConnectionEvent(
  db: Db,
  key: { tenantId: string; eventId: number },
): Promise<(ConnectionEvent & { provider: Provider }) | undefined> {
  return db
    .selectFrom('connection_events')
    .innerJoin('connections', 'connections.id', 'connection_events.connection_id')
    .selectAll('connection_events')
    .select('connections.provider')
    .where('connection_events.tenant_id', '=', key.tenantId)
    .where('connection_events.id', '=', BigInt(key.eventId))
    .executeTakeFirst();
}

/** Connections per (provider, status), across tenants: for the fleet's metrics. */
export async function countConnectionsByStatus(
  db: Db,
): Promise<{ provider: Provider; status: Connection['status']; count: number }[]> {
  const rows = await db
    .selectFrom('connections')
    .select(['provider', 'status', db.fn.countAll<string>().as('count')])
    .groupBy(['provider', 'status'])
    .execute();
  return rows.map((row) => ({ provider: row.provider, status: row.status, count: Number(row.count) }));
}

/** The soonest access-token expiry per provider among live connections: for the fleet's metrics. */
export async function soonestExpiryByProvider(db: Db): Promise<{ provider: Provider; expiresAt: Date }[]> {
  const rows = await db
    .selectFrom('connections')
    .select(['provider', db.fn.min('access_token_expires_at').as('expiresAt')])
    .where('status', 'in', ['active', 'degraded', 'pending'])
    .where('access_token_expires_at', 'is not', null)
    .groupBy('provider')
    .execute();
  return rows.flatMap((row) =>
    row.expiresAt === null ? [] : [{ provider: row.provider, expiresAt: new Date(row.expiresAt) }],
  );
}
