// Conversion events end to end: the gateway ingests over HTTP, the real worker-capi process delivers to the
// simulator's Conversions API and Events API. Hashes recorded at the "platform" match a table of tricky
// inputs; duplicates go once; a stale event is refused alone; a 5xx is retried and delivered once; a poison
// event is isolated and dead-lettered while the rest is delivered, then replayed once fixed; and every
// event id accepted with 202 is found exactly once at the simulator or in the dead letters.

import { createHash, randomBytes } from 'node:crypto';
import { createTenantWithKey } from '@adsync/db';
import { controlSimulator } from '@adsync/simulator';
import type { WorkerProcess } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { connectEventDestinations, META_PIXEL, startCapiWorker, TIKTOK_PIXEL } from '../testing/event-destinations.ts';
import { leadEvent } from '../testing/lead-event.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
let worker: WorkerProcess | undefined;
let brand: { tenantId: string; apiKey: string };
let destinationIds: Record<'meta' | 'tiktok', string> = { meta: '', tiktok: '' };

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const now = () => Math.floor(Date.now() / 1000);
const uniqueId = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;

interface RecordedEvent {
  platform: string;
  destination: string;
  event: Record<string, unknown>;
}

async function recorded(pixel: string): Promise<RecordedEvent[]> {
  const response = await fetch(`${testbed.sim.url}/_control/events?destination=${pixel}`);
  return ((await response.json()) as { events: RecordedEvent[] }).events;
}

function recordedId(entry: RecordedEvent): string {
  return String(entry.event.event_id);
}

const control = (path: string, body: unknown) => controlSimulator(testbed.sim.url, path, body);

function post(events: unknown[]) {
  return api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events', { events });
}

async function deadLetters(): Promise<
  { id: string; eventId: string; destinationId: string; status: string; reason: { code: string } }[]
> {
  const page = await api(testbed.gateway.url, brand.apiKey, 'GET', '/v1/events/dead-letters?limit=500&status=dead');
  return page.body.deadLetters as never;
}

beforeAll(async () => {
  const created = await createTenantWithKey(env.db, { name: 'Events brand', keyName: 'test' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  destinationIds = await connectEventDestinations(testbed, brand);
  worker = await startCapiWorker(testbed);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
});

it('hashes tricky customer data the way each platform asks, and keeps click ids and devices in clear', async () => {
  const time = now() - 120;
  const alreadyHashed = sha('someone@example.com').toUpperCase();
  const cases = [
    {
      user: {
        email: '  John.Doe@Example.COM ',
        phone: '+1 (650) 555-1234',
        firstName: ' José ',
        lastName: "O'Brien-Smith",
        city: 'San Francisco',
        state: 'CA',
        zip: '94025-1234',
        country: 'US',
        dateOfBirth: '1990-02-28',
        gender: 'Female',
        externalId: ' cust-42 ',
        ip: '203.0.113.5',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
        fbclid: 'IwAR2abc',
        ttclid: 'E.C.P.abc',
        ttp: 'ttp-cookie',
      },
      meta: {
        em: ['john.doe@example.com'],
        ph: ['16505551234'],
        fn: 'josé',
        ln: 'obriensmith',
        ct: 'sanfrancisco',
        st: 'ca',
        zp: '94025',
        country: 'us',
        db: '19900228',
        ge: 'f',
        external_id: ['cust-42'],
      },
      tiktok: { email: ['john.doe@example.com'], phone: ['+16505551234'], external_id: ['cust-42'] },
    },
    {
      user: {
        email: ['A@B.CO', alreadyHashed],
        phone: '0044 20-7946.0958',
        firstName: 'Zoë',
        // "Müller" with the umlaut as a combining mark: the same hash as the composed form.
        lastName: 'Mu\u0308ller',
        city: 'São Paulo 2',
        zip: 'SW1A 1AA',
        country: 'gb',
        gender: 'm',
      },
      meta: {
        em: ['a@b.co', 'HASH'],
        ph: ['442079460958'],
        fn: 'zoë',
        ln: 'müller',
        ct: 'sãopaulo',
        zp: 'sw1a1aa',
        country: 'gb',
        ge: 'm',
      },
      tiktok: { email: ['a@b.co', 'HASH'], phone: ['+442079460958'] },
    },
  ];
  const ids = cases.map(() => uniqueId('hash'));
  const answer = await post(
    cases.map((item, index) => ({
      id: ids[index],
      name: 'Purchase',
      time,
      actionSource: 'website',
      pageUrl: 'https://shop.example.com/checkout',
      user: { userAgent: 'Mozilla/5.0 test', ...item.user },
      custom: {
        value: 42.5,
        currency: 'usd',
        orderId: `o-${index}`,
        contents: [{ id: 'sku-1', quantity: 2, price: 21.25 }],
      },
    })),
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body.accepted).toBe(2);

  const hashOf = (value: string) => (value === 'HASH' ? alreadyHashed.toLowerCase() : sha(value));
  const hashAll = (fields: Record<string, string | string[]>) =>
    Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [key, Array.isArray(value) ? value.map(hashOf) : hashOf(value)]),
    );

  for (const [index, item] of cases.entries()) {
    const id = ids[index];
    const [meta] = await expect
      .poll(async () => (await recorded(META_PIXEL)).filter((entry) => recordedId(entry) === id), { timeout: 20_000 })
      .toHaveLength(1)
      .then(async () => (await recorded(META_PIXEL)).filter((entry) => recordedId(entry) === id));
    const userData = meta?.event.user_data as Record<string, unknown>;
    expect(userData).toMatchObject(hashAll(item.meta));
    expect(meta?.event).toMatchObject({ event_name: 'Purchase', event_time: time, action_source: 'website' });
    expect(meta?.event.custom_data).toMatchObject({ value: 42.5, currency: 'USD', order_id: `o-${index}` });
    if (index === 0) {
      expect(userData).toMatchObject({
        client_ip_address: '203.0.113.5',
        client_user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
        fbc: `fb.1.${time * 1000}.IwAR2abc`,
      });
    }

    await expect
      .poll(async () => (await recorded(TIKTOK_PIXEL)).filter((entry) => recordedId(entry) === id).length, {
        timeout: 20_000,
      })
      .toBe(1);
    const tiktok = (await recorded(TIKTOK_PIXEL)).find((entry) => recordedId(entry) === id);
    expect(tiktok?.event.user).toMatchObject(hashAll(item.tiktok));
    expect(tiktok?.event).toMatchObject({ event: 'CompletePayment', event_time: time });
    if (index === 0)
      expect(tiktok?.event.user).toMatchObject({ ttclid: 'E.C.P.abc', ttp: 'ttp-cookie', ip: '203.0.113.5' });
  }
});

it('refuses bad events one by one with what to fix, and a stale event alone while its batch-mates go', async () => {
  const fresh = [uniqueId('fresh'), uniqueId('fresh')];
  const stale = uniqueId('stale');
  const answer = await post([
    leadEvent(fresh[0] as string),
    leadEvent(stale, { time: now() - 8 * 86_400 }),
    leadEvent(uniqueId('bad-phone'), { user: { phone: '020 7946 0958' } }),
    leadEvent(uniqueId('ms'), { time: Date.now() }),
    leadEvent(uniqueId('no-user'), { user: {} }),
    leadEvent(fresh[1] as string),
  ]);
  expect(answer.status).toBe(202);
  const events = answer.body.events as { index: number; status: string; code?: string; field?: string }[];
  expect(events.map((event) => event.status)).toEqual([
    'accepted',
    'rejected',
    'rejected',
    'rejected',
    'rejected',
    'accepted',
  ]);
  expect(events[1]).toMatchObject({ code: 'event_too_old', field: 'time' });
  expect(events[2]).toMatchObject({ code: 'invalid_phone', field: 'user.phone' });
  expect(events[3]).toMatchObject({ code: 'invalid_event', field: 'time' });
  expect(events[4]).toMatchObject({ code: 'invalid_event', field: 'user' });

  for (const pixel of [META_PIXEL, TIKTOK_PIXEL]) {
    await expect
      .poll(
        async () =>
          (await recorded(pixel))
            .map(recordedId)
            .filter((id) => fresh.includes(id))
            .sort(),
        {
          timeout: 20_000,
        },
      )
      .toEqual([...fresh].sort());
    expect((await recorded(pixel)).map(recordedId)).not.toContain(stale);
  }

  const allBad = await post([leadEvent(uniqueId('x'), { time: 'yesterday' })]);
  expect(allBad.status).toBe(400);
  expect(allBad.body.error?.code).toBe('invalid_events');
  const tooMany = await post(Array.from({ length: 1_001 }, (_, index) => leadEvent(`many-${index}`)));
  expect(tooMany.status).toBe(413);
  expect(tooMany.body.error?.code).toBe('too_many_events');
});

it('sends a duplicate once, within a request and across requests', async () => {
  const id = uniqueId('dup');
  const first = await post([leadEvent(id), leadEvent(id)]);
  expect((first.body.events as { status: string }[]).map((event) => event.status)).toEqual(['accepted', 'duplicate']);
  const again = await post([leadEvent(id)]);
  expect(again.body).toMatchObject({ accepted: 0, duplicate: 1 });
  for (const pixel of [META_PIXEL, TIKTOK_PIXEL]) {
    await expect.poll(async () => (await recorded(pixel)).filter((entry) => recordedId(entry) === id).length).toBe(1);
  }
  // Time for a stray second delivery to show.
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const pixel of [META_PIXEL, TIKTOK_PIXEL]) {
    expect((await recorded(pixel)).filter((entry) => recordedId(entry) === id)).toHaveLength(1);
  }
});

it('retries a 5xx and delivers once; isolates a poison event, then delivers it when replayed after the fix', async () => {
  await control('faults', {
    platform: 'meta',
    route: 'POST /*/events',
    status: 500,
    count: 1,
    body: { error: { message: 'boom', code: 2 } },
  });
  const retried = uniqueId('retried');
  expect((await post([leadEvent(retried)])).status).toBe(202);
  await expect
    .poll(async () => (await recorded(META_PIXEL)).filter((entry) => recordedId(entry) === retried).length, {
      timeout: 20_000,
    })
    .toBe(1);

  const poison = uniqueId('poison');
  const mates = Array.from({ length: 9 }, () => uniqueId('mate'));
  await control('events/reject', { platform: 'meta', eventIds: [poison] });
  const answer = await post([
    ...mates.slice(0, 4).map((id) => leadEvent(id)),
    leadEvent(poison),
    ...mates.slice(4).map((id) => leadEvent(id)),
  ]);
  expect(answer.body.accepted).toBe(10);
  await expect
    .poll(async () => (await recorded(META_PIXEL)).map(recordedId).filter((id) => mates.includes(id)).length, {
      timeout: 20_000,
    })
    .toBe(9);
  await expect
    .poll(async () => (await deadLetters()).filter((letter) => letter.eventId === poison), { timeout: 20_000 })
    .toHaveLength(1);
  const [letter] = (await deadLetters()).filter((entry) => entry.eventId === poison);
  expect(letter).toMatchObject({ destinationId: destinationIds.meta, reason: { code: 'rejected_by_platform' } });
  expect((await recorded(META_PIXEL)).map(recordedId)).not.toContain(poison);
  // TikTok never had a problem with it.
  await expect.poll(async () => (await recorded(TIKTOK_PIXEL)).map(recordedId)).toContain(poison);

  await control('faults/clear', {});
  const replay = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/dead-letters/replay', {
    ids: [letter?.id],
  });
  expect(replay.body).toEqual({ replayed: [letter?.id], notReplayable: [] });
  await expect
    .poll(async () => (await recorded(META_PIXEL)).filter((entry) => recordedId(entry) === poison).length, {
      timeout: 20_000,
    })
    .toBe(1);
  expect((await deadLetters()).map((entry) => entry.eventId)).not.toContain(poison);
  const again = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/dead-letters/replay', {
    ids: [letter?.id],
  });
  expect(again.body).toEqual({ replayed: [], notReplayable: [letter?.id] });
});

it('every event id accepted with 202 is at the simulator exactly once or in the dead letters', async () => {
  const poison = Array.from({ length: 3 }, () => uniqueId('p'));
  await control('events/reject', { platform: 'tiktok', eventIds: poison });
  await control('faults', {
    platform: 'meta',
    route: 'POST /*/events',
    status: 503,
    count: 2,
    body: { error: { message: 'busy', code: 2 } },
  });
  const accepted = new Set<string>();
  for (let request = 0; request < 6; request += 1) {
    const events = Array.from({ length: 100 }, (_, index) => {
      const id = request === 2 && index < poison.length ? (poison[index] as string) : uniqueId(`bulk${request}`);
      return leadEvent(id);
    });
    const answer = await post(events);
    expect(answer.status).toBe(202);
    for (const event of answer.body.events as { id: string; status: string }[]) {
      if (event.status === 'accepted') accepted.add(event.id);
    }
  }
  expect(accepted.size).toBe(600);
  for (const [provider, pixel] of [
    ['meta', META_PIXEL],
    ['tiktok', TIKTOK_PIXEL],
  ] as const) {
    const settled = async () => {
      const delivered = (await recorded(pixel)).map(recordedId).filter((id) => accepted.has(id));
      const dead = (await deadLetters())
        .filter((entry) => entry.destinationId === destinationIds[provider] && accepted.has(entry.eventId))
        .map((entry) => entry.eventId);
      return { delivered, dead };
    };
    await expect
      .poll(
        async () => {
          const s = await settled();
          return s.delivered.length + s.dead.length;
        },
        { timeout: 30_000 },
      )
      .toBe(600);
    const { delivered, dead } = await settled();
    const all = [...delivered, ...dead];
    expect(new Set(all).size, `${provider}: each id exactly once`).toBe(all.length);
    expect(dead.sort()).toEqual(provider === 'tiktok' ? [...poison].sort() : []);
  }
  await control('faults/clear', {});
});
