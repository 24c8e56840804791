// Conversion events delivered and dead-lettered per destination and UTC day, for the brand's admin page.
// worker-capi adds delivered events as it marks them done in the buffer (each once, however often its batch
// is retried); dead-lettered ones are the rows of capi_dead_letters, on the day of their last failure.

import { sql } from 'kysely';
import type { Db } from '../create-database.ts';

/** The instant's UTC calendar date, as 'YYYY-MM-DD'. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export interface DeliveredEvents {
  tenantId: string;
  destinationId: string;
  /** When they were delivered (now unless given); they count on its UTC date. */
  day?: Date;
  count: number;
}

export async function addDeliveredEvents(db: Db, events: DeliveredEvents): Promise<void> {
  if (events.count <= 0) return;
  await db
    .insertInto('capi_delivery_days')
    .values({
      tenant_id: events.tenantId,
      destination_id: events.destinationId,
      day: utcDay(events.day ?? new Date()),
      delivered: BigInt(events.count),
    })
    .onConflict((conflict) =>
      conflict.columns(['destination_id', 'day']).doUpdateSet({
        delivered: sql<bigint>`capi_delivery_days.delivered + excluded.delivered`,
      }),
    )
    .execute();
}

export interface DeliveryDay {
  destinationId: string;
  /** UTC date, 'YYYY-MM-DD'. */
  day: string;
  delivered: number;
  deadLettered: number;
}

/**
 * The tenant's delivered and dead-lettered events per destination and UTC day, from the UTC date of `since`
 * on, ordered by destination and day. Days with neither are left out.
 */
export async function deliveryDays(db: Db, filter: { tenantId: string; since: Date }): Promise<DeliveryDay[]> {
  const { tenantId } = filter;
  const since = utcDay(filter.since);
  const { rows } = await sql<{ destination_id: string; day: string; delivered: bigint; dead_lettered: bigint }>`
    SELECT destination_id, day, sum(delivered)::bigint AS delivered, sum(dead_lettered)::bigint AS dead_lettered
    FROM (
      SELECT destination_id, day, delivered, 0::bigint AS dead_lettered
      FROM capi_delivery_days
      WHERE tenant_id = ${tenantId} AND day >= ${since}::date
      UNION ALL
      SELECT destination_id, (failed_at AT TIME ZONE 'UTC')::date, 0::bigint, count(*)
      FROM capi_dead_letters
      WHERE tenant_id = ${tenantId} AND failed_at >= ${since}::date::timestamp AT TIME ZONE 'UTC'
      GROUP BY 1, 2
    ) AS days
    GROUP BY destination_id, day
    ORDER BY destination_id, day`.execute(db);
  return rows.map((row) => ({
    destinationId: row.destination_id,
    day: row.day,
    delivered: Number(row.delivered),
    deadLettered: Number(row.dead_lettered),
  }));
}
