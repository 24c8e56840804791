// The event buffer against real Redis: dedup, chunks and batches, done events, replays, idle destinations.

import { randomUUID } from 'node:crypto';
import { createRedisConnection } from '@adsync/queues';
import { useTestEnvironment } from '@adsync/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBuffer, type EventBuffer, eventBufferOptions } from './event-buffer.ts';
import type { QueuedEvent } from './platform-events.ts';

const env = useTestEnvironment();
let redis: Redis;
let buffer: EventBuffer;

beforeAll(() => {
  redis = createRedisConnection({ url: env.redisUrl, role: 'producer', name: 'event-buffer-test' });
  buffer = createEventBuffer(
    redis,
    eventBufferOptions({
      QUEUE_PREFIX: env.queuePrefix,
      EVENTS_DEDUP_HOURS: 48,
      EVENTS_LINGER_MS: 250,
      EVENTS_BATCH_SIZE: 1_000,
    }),
  );
});

afterAll(() => redis.disconnect());

function events(count: number, from = 0): QueuedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: `e-${from + i}`,
    acceptedAt: 1_790_000_000_000,
    // Quotes, a backslash, accents and an emoji survive the chunks' text joins byte for byte.
    event: {
      id: `e-${from + i}`,
      name: 'Lead',
      time: 1_790_000_000,
      actionSource: 'website',
      custom: { contentName: 'say "hé" \\ 👋' },
    },
    user: { emails: ['a'.repeat(64)], phones: [], externalIds: [], clear: { ip: '203.0.113.9' } },
  }));
}

describe('event buffer', () => {
  it('stores each event once per destination, in chunks that batches take whole and in order', async () => {
    const [meta, tiktok] = [randomUUID(), randomUUID()];
    const first = await buffer.add([
      { destinationId: meta, events: events(250) },
      { destinationId: tiktok, events: events(3) },
    ]);
    expect(first.map((outcome) => outcome.accepted.filter(Boolean).length)).toEqual([250, 3]);
    expect(first.map((outcome) => outcome.armed)).toEqual([true, true]);

    // e-248 and e-249 were seen; e-250 and e-251 are new. A second call does not arm again.
    const second = await buffer.add([{ destinationId: meta, events: events(4, 248) }]);
    expect(second).toEqual([{ accepted: [false, false, true, true], armed: false }]);
    expect(await buffer.waitingCount(meta)).toBe(252);

    // Chunks of 100, 100, 50 and 2; batches of at most 150 take whole chunks: 100, then 100 + 50, then 2.
    const sizes: number[] = [];
    const ids: string[] = [];
    for (let batch = await buffer.claim(meta, 150); batch !== undefined; batch = await buffer.claim(meta, 150)) {
      await buffer.releaseClaim(meta);
      const loaded = await buffer.load(meta, batch);
      sizes.push(loaded.length);
      ids.push(...loaded.map((event) => event.eventId));
      expect(loaded[0]?.event.custom?.contentName).toBe('say "hé" \\ 👋');
    }
    expect(sizes).toEqual([100, 150, 2]);
    expect(ids).toEqual(events(252).map((event) => event.eventId));
  });

  it('a claim that was not handed over is returned again, unchanged', async () => {
    const destination = randomUUID();
    await buffer.add([{ destinationId: destination, events: events(5) }]);
    const batch = await buffer.claim(destination, 1_000);
    expect(batch).toBeDefined();
    expect(await buffer.claim(destination, 1_000)).toBe(batch);
    await buffer.releaseClaim(destination);
    expect(await buffer.claim(destination, 1_000)).toBeUndefined();
  });

  it('done events are neither loaded nor counted again, even when marked twice (a retried job)', async () => {
    const destination = randomUUID();
    await buffer.add([{ destinationId: destination, events: events(10) }]);
    const batch = (await buffer.claim(destination, 1_000)) as number;
    await buffer.releaseClaim(destination);
    await buffer.remove(destination, batch, ['e-0', 'e-1', 'e-2']);
    await buffer.remove(destination, batch, ['e-1', 'e-2', 'e-3']);
    expect((await buffer.load(destination, batch)).map((event) => event.eventId)).toEqual(
      events(6, 4).map((event) => event.eventId),
    );
    expect(await buffer.waitingCount(destination)).toBe(6);

    expect(await buffer.hasPendingWork(destination)).toBe(false);
    expect(await buffer.destinationsWithWork()).toContain(destination); // its batch is still out
    await buffer.remove(
      destination,
      batch,
      events(6, 4).map((event) => event.eventId),
    );
    await buffer.finishBatch(destination, batch);
    expect(await buffer.load(destination, batch)).toEqual([]);
    expect(await buffer.waitingCount(destination)).toBe(0);
    expect(await buffer.hasPendingWork(destination)).toBe(false);
    expect(await buffer.destinationsWithWork()).not.toContain(destination);
  });

  it('says how many events a removal newly marked done, so a retried batch is counted once', async () => {
    const destination = randomUUID();
    await buffer.add([{ destinationId: destination, events: events(5) }]);
    const batch = (await buffer.claim(destination, 1_000)) as number;
    await buffer.releaseClaim(destination);
    const delivered = ['e-0', 'e-1', 'e-2'];
    expect(await buffer.remove(destination, batch, delivered)).toBe(3);
    expect(await buffer.remove(destination, batch, delivered)).toBe(0);
    expect(await buffer.remove(destination, batch, ['e-2', 'e-3'])).toBe(1);
    expect(await buffer.remove(destination, batch, [])).toBe(0);
    expect(await buffer.waitingCount(destination)).toBe(1);
  });

  it('a replay puts events back without a dedup check and arms a flush', async () => {
    const destination = randomUUID();
    await buffer.add([{ destinationId: destination, events: events(2) }]);
    const batch = (await buffer.claim(destination, 1_000)) as number;
    await buffer.releaseClaim(destination);
    await buffer.remove(destination, batch, ['e-0', 'e-1']);
    await buffer.finishBatch(destination, batch);
    await buffer.disarm(destination);

    expect(await buffer.requeue(destination, events(1, 1))).toEqual({ armed: true });
    expect(await buffer.waitingCount(destination)).toBe(1);
    expect(await buffer.hasPendingWork(destination)).toBe(true);
    const again = (await buffer.claim(destination, 1_000)) as number;
    expect((await buffer.load(destination, again)).map((event) => event.eventId)).toEqual(['e-1']);
  });

  it('chunks follow a batch size below 100, so batches keep to it', async () => {
    const small = createEventBuffer(
      redis,
      eventBufferOptions({
        QUEUE_PREFIX: env.queuePrefix,
        EVENTS_DEDUP_HOURS: 48,
        EVENTS_LINGER_MS: 250,
        EVENTS_BATCH_SIZE: 7,
      }),
    );
    const destination = randomUUID();
    await small.add([{ destinationId: destination, events: events(20) }]);
    const sizes: number[] = [];
    for (
      let batch = await small.claim(destination, 7);
      batch !== undefined;
      batch = await small.claim(destination, 7)
    ) {
      await small.releaseClaim(destination);
      sizes.push((await small.load(destination, batch)).length);
    }
    expect(sizes).toEqual([7, 7, 6]);
  });
});
