// Fuzzing event ingest (`POST /v1/events`) with arbitrary JSON, raw bodies and mutations of valid batches:
// never a 5xx; a refused request (4xx with a stable code) leaves Redis — where accepted events wait — and
// Postgres untouched; a 202 lists every event, and its accepted count is exactly the number of events that
// were stored for delivery (one destination here, so one new dedup marker and one waiting event each).

import { createTenantWithKey, listConnections } from '@adsync/db';
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';
import {
  type BodyText,
  bodyOf,
  databaseChanges,
  describeAnswer,
  fuzzParameters,
  fuzzTimeout,
  mutationsOf,
  nastyValue,
  newKeys,
  notAnApiRefusal,
  redisKeys,
  STABLE_CODE,
  send,
  snapshotDatabase,
} from './fuzz-support.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const META_PIXEL = '2000000000000001'; // reached through act_1000000001
let brand: { tenantId: string; apiKey: string };
let destinationId = '';

beforeAll(async () => {
  const created = await createTenantWithKey(env.db, { name: 'Fuzzed events brand', keyName: 'fuzz' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  await connectByHttp(testbed.gateway.url, brand.apiKey, 'meta', { accounts: ['act_1000000001'] });
  const [connection] = await listConnections(env.db, brand.tenantId);
  const answer = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: META_PIXEL,
    connectionId: connection?.id,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  destinationId = String(answer.body.id);
}, 60_000);

const now = () => Math.floor(Date.now() / 1000);

/** A valid neutral event (each field within the schema), with a fresh id. */
const validEvent = fc
  .record({
    id: fc.uuid(),
    name: fc.constantFrom('Lead', 'CompleteRegistration', 'AddToCart', 'Purchase', 'Custom event_1'),
    ageSeconds: fc.integer({ min: 0, max: 6 * 86_400 }),
    isoTime: fc.boolean(),
    actionSource: fc.constantFrom('website', 'system_generated', 'app', 'email', 'physical_store'),
    email: fc.oneof(fc.emailAddress(), fc.array(fc.emailAddress(), { minLength: 1, maxLength: 3 })),
    phone: fc.option(fc.constantFrom('+1 (650) 555-1234', '0044 20-7946.0958', '+33612345678'), { nil: undefined }),
    firstName: fc.option(fc.constantFrom('José', 'Zoë', 'Mu\u0308ller', 'Ann'), { nil: undefined }),
    value: fc.double({ min: 0, max: 1e6, noNaN: true }),
    currency: fc.constantFrom('USD', 'eur', 'GBP'),
    contents: fc.array(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }), quantity: fc.integer({ min: 1, max: 9 }) }),
      { maxLength: 3 },
    ),
  })
  .filter(({ contents }) => contents.every((item) => item.id.trim() !== ''))
  .map((event) => {
    const time = now() - event.ageSeconds;
    return {
      id: event.id,
      name: event.name,
      time: event.isoTime ? new Date(time * 1000).toISOString() : time,
      actionSource: event.actionSource,
      ...(event.actionSource === 'website' ? { pageUrl: 'https://shop.example/checkout?step=2' } : {}),
      user: {
        email: event.email,
        ...(event.phone === undefined ? {} : { phone: event.phone }),
        ...(event.firstName === undefined ? {} : { firstName: event.firstName }),
        ...(event.actionSource === 'website'
          ? { userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', ip: '203.0.113.5' }
          : {}),
      },
      custom: {
        value: event.value,
        currency: event.currency,
        ...(event.contents.length === 0 ? {} : { contents: event.contents }),
      },
    };
  });

/** One item of a batch: valid, mutated, or anything at all. */
const batchItem: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: validEvent, weight: 4 },
  { arbitrary: mutationsOf(validEvent), weight: 5 },
  { arbitrary: nastyValue, weight: 1 },
);

/** A batch, sometimes with an event repeated (a duplicate within one request). */
const batch = fc
  .tuple(fc.array(batchItem, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { maxLength: 3 }))
  .map(([items, repeats]) => [...items, ...repeats.map((at) => items[at % items.length])]);

const body: fc.Arbitrary<BodyText> = fc.oneof(
  { arbitrary: bodyOf(batch.map((events) => ({ events }))), weight: 25 },
  // Too many events: refused whole, before any is looked at.
  {
    arbitrary: fc.integer({ min: 1_001, max: 1_050 }).map(
      (count): BodyText => ({
        text: JSON.stringify({ events: Array.from({ length: count }, () => ({})) }),
        contentType: 'application/json',
      }),
    ),
    weight: 1,
  },
);

interface BufferState {
  keys: Set<string>;
  waiting: number;
}

async function bufferState(): Promise<BufferState> {
  const waiting = await env.redis.get(`${env.queuePrefix}:capi:${destinationId}:waiting`);
  return { keys: await redisKeys(env.redis, env.queuePrefix), waiting: Number(waiting ?? 0) };
}

interface IngestAnswer {
  accepted: number;
  duplicate: number;
  rejected: number;
  events: { index: number; status: string; code?: string; message?: string }[];
}

function post(sent: BodyText) {
  return send(testbed.gateway.url, {
    method: 'POST',
    path: '/v1/events',
    body: sent,
    headers: { authorization: `Bearer ${brand.apiKey}` },
  });
}

it(
  'answers any body with a 202 that matches what was stored, or a 4xx that stored nothing',
  async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const rowsBefore = await snapshotDatabase(env.db);
        const before = await bufferState();
        const answer = await post(sent);
        const after = await bufferState();
        const changes = databaseChanges(rowsBefore, await snapshotDatabase(env.db));
        const label = `POST /v1/events ${sent.contentType} ${sent.text.slice(0, 300)} → ${describeAnswer(answer)}`;
        const outcome =
          answer.status === 202 ? 'accepted' : ((answer.json as { error?: { code?: string } })?.error?.code ?? '?');
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);

        expect(changes, `rows written: ${label}`).toEqual({});
        if (answer.status === 202) {
          const result = answer.json as IngestAnswer;
          expect(result.accepted + result.duplicate + result.rejected, label).toBe(result.events.length);
          expect(result.events.map((event) => event.index)).toEqual(result.events.map((_, index) => index));
          for (const event of result.events) {
            expect(['accepted', 'duplicate', 'rejected'], label).toContain(event.status);
            if (event.status === 'rejected') {
              expect(event.code, label).toMatch(STABLE_CODE);
              expect(event.message, label).toBeTruthy();
            }
          }
          const markers = newKeys(before.keys, after.keys).filter((key) => key.includes(':seen:'));
          expect(after.waiting - before.waiting, `waiting events: ${label}`).toBe(result.accepted);
          expect(markers.length, `dedup markers: ${label}`).toBe(result.accepted);
          return;
        }
        const problem = notAnApiRefusal(answer);
        expect(problem, `${problem}: ${label}`).toBeUndefined();
        expect(newKeys(before.keys, after.keys), `new Redis keys: ${label}`).toEqual([]);
        expect(after.waiting, `waiting events: ${label}`).toBe(before.waiting);
        const error = (answer.json as { error: { code: string; details?: { events?: IngestAnswer['events'] } } }).error;
        if (error.code === 'invalid_events') {
          for (const event of error.details?.events ?? []) {
            expect(event.status, label).toBe('rejected');
            expect(event.code, label).toMatch(STABLE_CODE);
          }
        }
      }),
      fuzzParameters(),
    );
    // Both sides were reached: batches accepted (in part) and refused whole.
    expect([...seen.keys()], JSON.stringify(Object.fromEntries(seen))).toEqual(
      expect.arrayContaining(['accepted', 'invalid_events', 'invalid_request']),
    );
  },
  fuzzTimeout(),
);

it('a body over the 4 MB limit is refused with 413 and stores nothing', async () => {
  const before = await bufferState();
  const answer = await post({
    text: JSON.stringify({ events: [{ id: 'x'.repeat(5 * 1024 * 1024) }] }),
    contentType: 'application/json',
  });
  expect(answer.status).toBe(413);
  expect(notAnApiRefusal(answer)).toBeUndefined();
  const after = await bufferState();
  expect(newKeys(before.keys, after.keys)).toEqual([]);
});

it('an event id with a NUL character is refused with the request, not accepted to fail its dead-lettering later', async () => {
  // Postgres text cannot hold U+0000: such an event could never be dead-lettered (capi_dead_letters.event_id).
  const before = await bufferState();
  const good = {
    id: 'nul-good-1',
    name: 'Lead',
    time: now() - 60,
    actionSource: 'system_generated',
    user: { externalId: 'c-1' },
  };
  const answer = await post({
    text: JSON.stringify({ events: [good, { ...good, id: 'nul\u0000id' }] }),
    contentType: 'application/json',
  });
  expect(answer.status, describeAnswer(answer)).toBe(400);
  expect(answer.json).toMatchObject({ error: { code: 'invalid_request' } });
  expect(answer.text).toContain('events.1.id');
  const after = await bufferState();
  expect(newKeys(before.keys, after.keys)).toEqual([]);
  expect(after.waiting).toBe(before.waiting);
});
