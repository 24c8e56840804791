// Delivery counts per destination and UTC day against real Postgres: additions to a day add up, days split at
// UTC midnight, dead letters count once per row on the UTC day of their last failure, and a tenant sees only
// its own.

import { randomUUID } from 'node:crypto';
import { useTestEnvironment } from '@adsync/testing';
import { expect, it } from 'vitest';
import { addDeliveredEvents, createTenant, deliveryDays, insertCapiDestination, insertDeadLetters } from './index.ts';

const env = useTestEnvironment();

async function newDestination(tenantId: string) {
  return insertCapiDestination(env.db, {
    id: randomUUID(),
    tenantId,
    provider: 'meta',
    name: 'Pixel',
    pixelId: String(Math.floor(Math.random() * 1e12)),
    connectionId: null,
    accessTokenCiphertext: 'v1.sealed',
    testEventCode: null,
  });
}

async function deadLetterAt(tenantId: string, destinationId: string, eventId: string, failedAt: Date) {
  await insertDeadLetters(env.db, [
    {
      tenantId,
      destinationId,
      eventId,
      eventName: 'Lead',
      eventTime: failedAt,
      payloadCiphertext: 'v1.sealed',
      reasonCode: 'rejected_by_platform',
      reasonMessage: 'no',
      acceptedAt: failedAt,
    },
  ]);
  await env.db
    .updateTable('capi_dead_letters')
    .set({ failed_at: failedAt })
    .where('destination_id', '=', destinationId)
    .where('event_id', '=', eventId)
    .execute();
}

it('adds up a day, splits days at UTC midnight and counts dead letters by their last failure', async () => {
  const tenant = await createTenant(env.db, { name: 'Counts' });
  const [first, second] = [await newDestination(tenant.id), await newDestination(tenant.id)];
  const key = { tenantId: tenant.id, destinationId: first.id };
  await addDeliveredEvents(env.db, { ...key, day: new Date('2030-03-01T23:59:59.999Z'), count: 5 });
  await addDeliveredEvents(env.db, { ...key, day: new Date('2030-03-01T00:00:00Z'), count: 2 });
  await addDeliveredEvents(env.db, { ...key, day: new Date('2030-03-02T00:00:00Z'), count: 1 });
  await addDeliveredEvents(env.db, { ...key, day: new Date('2030-03-02T12:00:00Z'), count: 0 });
  await addDeliveredEvents(env.db, { ...key, day: new Date('2030-02-28T12:00:00Z'), count: 100 });
  await deadLetterAt(tenant.id, first.id, 'a', new Date('2030-03-02T23:30:00Z'));
  await deadLetterAt(tenant.id, first.id, 'b', new Date('2030-03-02T00:10:00Z'));
  await deadLetterAt(tenant.id, second.id, 'c', new Date('2030-02-28T23:59:59Z'));
  await deadLetterAt(tenant.id, second.id, 'd', new Date('2030-03-01T00:00:00Z'));
  // 'a' fails again: still one row, now on the day of its second failure.
  await insertDeadLetters(env.db, [
    {
      tenantId: tenant.id,
      destinationId: first.id,
      eventId: 'a',
      eventName: 'Lead',
      eventTime: new Date(),
      payloadCiphertext: 'v1.sealed',
      reasonCode: 'rejected_by_platform',
      reasonMessage: 'again',
      acceptedAt: new Date(),
    },
  ]);
  await env.db
    .updateTable('capi_dead_letters')
    .set({ failed_at: new Date('2030-03-03T01:00:00Z') })
    .where('event_id', '=', 'a')
    .execute();

  const other = await createTenant(env.db, { name: 'Other' });
  const theirs = await newDestination(other.id);
  await addDeliveredEvents(env.db, { tenantId: other.id, destinationId: theirs.id, count: 7 });
  await deadLetterAt(other.id, theirs.id, 'x', new Date('2030-03-02T10:00:00Z'));

  const since = new Date('2030-03-01T18:00:00Z'); // counts from its UTC date on
  const days = await deliveryDays(env.db, { tenantId: tenant.id, since });
  const expected = [
    { destinationId: first.id, day: '2030-03-01', delivered: 7, deadLettered: 0 },
    { destinationId: first.id, day: '2030-03-02', delivered: 1, deadLettered: 1 },
    { destinationId: first.id, day: '2030-03-03', delivered: 0, deadLettered: 1 },
    { destinationId: second.id, day: '2030-03-01', delivered: 0, deadLettered: 1 },
  ];
  expect(days).toEqual(expect.arrayContaining(expected));
  expect(days).toHaveLength(expected.length);
  expect(await deliveryDays(env.db, { tenantId: other.id, since })).toEqual([
    { destinationId: theirs.id, day: '2030-03-02', delivered: 0, deadLettered: 1 },
  ]);
});
