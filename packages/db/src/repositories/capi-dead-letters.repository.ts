// Conversion events that could not be delivered, with the reason, for brands and operators to inspect and
// replay. One row per (destination, event id): an event that fails again after a replay comes back to the
// same row with its failure count raised.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';
import type { CapiDeadLetter, DeadLetterStatus } from '../schema.ts';

export interface NewDeadLetter {
  tenantId: string;
  destinationId: string;
  eventId: string;
  eventName: string;
  eventTime: Date;
  payloadCiphertext: string;
  reasonCode: string;
  reasonMessage: string;
  acceptedAt: Date;
}

export async function insertDeadLetters(db: Db, letters: readonly NewDeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await db
    .insertInto('capi_dead_letters')
    .values(
      letters.map((letter) => ({
        tenant_id: letter.tenantId,
        destination_id: letter.destinationId,
        event_id: letter.eventId,
        event_name: letter.eventName,
        event_time: letter.eventTime,
        payload_ciphertext: letter.payloadCiphertext,
        reason_code: letter.reasonCode,
        reason_message: letter.reasonMessage,
        accepted_at: letter.acceptedAt,
        replayed_at: null,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['destination_id', 'event_id']).doUpdateSet((excluded) => ({
        payload_ciphertext: excluded.ref('excluded.payload_ciphertext'),
        reason_code: excluded.ref('excluded.reason_code'),
        reason_message: excluded.ref('excluded.reason_message'),
        status: 'dead',
        failures: sql<number>`capi_dead_letters.failures + 1`,
        failed_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

export interface DeadLetterFilter {
  /** Absent only for operators, who see every tenant's. */
  tenantId?: string;
  destinationId?: string;
  status?: DeadLetterStatus;
  limit: number;
  /** Keyset cursor: the last row of the previous page. */
  before?: { failedAt: Date; id: string };
}

/** Newest failures first. */
export async function listDeadLetters(db: Db, filter: DeadLetterFilter): Promise<CapiDeadLetter[]> {
  let query = db.selectFrom('capi_dead_letters').selectAll();
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  if (filter.destinationId !== undefined) query = query.where('destination_id', '=', filter.destinationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.before !== undefined) {
    const { failedAt, id } = filter.before;
    query = query.where((eb) =>
      eb.or([eb('failed_at', '<', failedAt), eb.and([eb('failed_at', '=', failedAt), eb('id', '<', id)])]),
    );
  }
  return query.orderBy('failed_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

/** The named dead letters still waiting for a replay (of one tenant, unless an operator asks). */
export async function findDeadLettersToReplay(
  db: Db,
  filter: { tenantId?: string; ids: readonly string[] },
): Promise<CapiDeadLetter[]> {
  if (filter.ids.length === 0) return [];
  let query = db.selectFrom('capi_dead_letters').selectAll().where('id', 'in', filter.ids).where('status', '=', 'dead');
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  return query.execute();
}

export async function markDeadLettersReplayed(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('capi_dead_letters')
    .set({ status: 'replayed', replayed_at: new Date() })
    .where('id', 'in', ids)
    .execute();
}

export async function countDeadLetters(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('capi_dead_letters')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The tenant's dead letters still waiting for a replay, per destination (destinations without any left out). */
export async function countDeadLettersByDestination(db: Db, tenantId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('capi_dead_letters')
    .select(['destination_id', (eb) => eb.fn.countAll<string>().as('count')])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'dead')
    .groupBy('destination_id')
    .execute();
  return new Map(rows.map((row) => [row.destination_id, Number(row.count)]));
}
