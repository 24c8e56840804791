// Where a tenant's conversion events go: a Meta dataset/pixel or a TikTok pixel, with the token that sends
// them (a stored connection's, or a dedicated sealed one). Deleting keeps the row (dead letters point at it)
// and stops new events reaching it.

import type { Db } from '../create-database.ts';
import type { CapiDestination, CapiDestinationUpdate, CapiProvider } from '../schema.ts';

export interface DestinationKey {
  tenantId: string;
  destinationId: string;
}

export interface NewCapiDestination {
  /** Chosen by the caller so a dedicated token can be sealed to the row before it exists. */
  id: string;
  tenantId: string;
  provider: CapiProvider;
  name: string;
  pixelId: string;
  connectionId: string | null;
  accessTokenCiphertext: string | null;
  testEventCode: string | null;
}

export async function insertCapiDestination(db: Db, destination: NewCapiDestination): Promise<CapiDestination> {
  return db
    .insertInto('capi_destinations')
    .values({
      id: destination.id,
      tenant_id: destination.tenantId,
      provider: destination.provider,
      name: destination.name,
      pixel_id: destination.pixelId,
      connection_id: destination.connectionId,
      access_token_ciphertext: destination.accessTokenCiphertext,
      test_event_code: destination.testEventCode,
      last_delivered_at: null,
      last_error_code: null,
      last_error_message: null,
      last_error_at: null,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The tenant's live (not deleted) destinations, oldest first. */
export async function listCapiDestinations(db: Db, tenantId: string): Promise<CapiDestination[]> {
  return db
    .selectFrom('capi_destinations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** One of the tenant's destinations, deleted ones included (the worker must see that it was deleted). */
export async function findCapiDestination(db: Db, key: DestinationKey): Promise<CapiDestination | undefined> {
  return db
    .selectFrom('capi_destinations')
    .selectAll()
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.destinationId)
    .executeTakeFirst();
}

/** Changes a live destination; undefined when the tenant has no such live destination. */
export async function updateCapiDestination(
  db: Db,
  key: DestinationKey,
  changes: Omit<CapiDestinationUpdate, 'id' | 'tenant_id' | 'provider' | 'created_at'>,
): Promise<CapiDestination | undefined> {
  return db
    .updateTable('capi_destinations')
    .set({ ...changes, updated_at: new Date() })
    .where('tenant_id', '=', key.tenantId)
    .where('id', '=', key.destinationId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Soft-deletes a destination and wipes its dedicated token; false when there was no live one. */
export async function deleteCapiDestination(db: Db, key: DestinationKey): Promise<boolean> {
  const row = await updateCapiDestination(db, key, { deleted_at: new Date(), access_token_ciphertext: null });
  return row !== undefined;
}

/** How the last delivery to a destination went, for the admin page. */
export async function recordDestinationOutcome(
  db: Db,
  destinationId: string,
  outcome: { deliveredAt: Date } | { errorCode: string; errorMessage: string; at: Date },
): Promise<void> {
  const changes =
    'deliveredAt' in outcome
      ? { last_delivered_at: outcome.deliveredAt }
      : { last_error_code: outcome.errorCode, last_error_message: outcome.errorMessage, last_error_at: outcome.at };
  await db.updateTable('capi_destinations').set(changes).where('id', '=', destinationId).execute();
}

/** Whether a connection still sends some live destination's events (it must not be disconnected silently). */
export async function destinationsUsingConnection(db: Db, connectionId: string): Promise<CapiDestination[]> {
  return db
    .selectFrom('capi_destinations')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('deleted_at', 'is', null)
    .execute();
}

/** The tenant of each destination (deleted ones included), for work found in Redis by destination id. */
export async function destinationTenants(db: Db, destinationIds: readonly string[]): Promise<Map<string, string>> {
  if (destinationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('capi_destinations')
    .select(['id', 'tenant_id'])
    .where('id', 'in', destinationIds)
    .execute();
  return new Map(rows.map((row) => [row.id, row.tenant_id]));
}
