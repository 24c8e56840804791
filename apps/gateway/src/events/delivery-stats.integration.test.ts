// Delivery stats over HTTP with the real worker-capi delivering to the simulator: each delivered event counts
// once on today's UTC date (a retried batch included), dead letters count on their day and while open, a
// replay moves one from open to delivered, another tenant sees none of it, and a bad window is refused.

import { randomBytes } from 'node:crypto';
import { createTenantWithKey } from '@adsync/db';
import { controlSimulator } from '@adsync/simulator';
import type { WorkerProcess } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { connectEventDestinations, META_PIXEL, startCapiWorker } from '../testing/event-destinations.ts';
import { leadEvent } from '../testing/lead-event.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';
import type { DestinationStats } from './delivery-stats.route.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const PATH = '/v1/events/delivery-stats';
let worker: WorkerProcess | undefined;
let brand: { tenantId: string; apiKey: string };
let otherBrand: { apiKey: string };
let destinationIds: Record<'meta' | 'tiktok', string> = { meta: '', tiktok: '' };

const uniqueId = (label: string) => `${label}-${randomBytes(5).toString('hex')}`;
const utcDate = (at: number) => new Date(at).toISOString().slice(0, 10);

const control = (path: string, body: unknown) => controlSimulator(testbed.sim.url, path, body);

async function recordedIds(pixel: string): Promise<string[]> {
  const response = await fetch(`${testbed.sim.url}/_control/events?destination=${pixel}`);
  const { events } = (await response.json()) as { events: { event: Record<string, unknown> }[] };
  return events.map((entry) => String(entry.event.event_id));
}

async function post(events: unknown[]): Promise<void> {
  const answer = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events', { events });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body.accepted).toBe(events.length);
}

function stats(query = '', apiKey = brand.apiKey) {
  return api(testbed.gateway.url, apiKey, 'GET', `${PATH}${query}`);
}

async function statsOf(provider: 'meta' | 'tiktok'): Promise<DestinationStats> {
  const answer = await stats();
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const found = (answer.body.destinations as DestinationStats[]).find(
    (entry) => entry.destinationId === destinationIds[provider],
  );
  if (found === undefined) throw new Error(`no stats for the ${provider} destination`);
  return found;
}

/** The counts that settle once the worker is done with what was sent. */
const settled = (entry: DestinationStats) => ({
  delivered: entry.delivered,
  deadLettered: entry.deadLettered,
  openDeadLetters: entry.openDeadLetters,
  waiting: entry.waiting,
});

beforeAll(async () => {
  const created = await createTenantWithKey(env.db, { name: 'Stats brand', keyName: 'test' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  otherBrand = await createTenantWithKey(env.db, { name: 'Other brand', keyName: 'test' });
  destinationIds = await connectEventDestinations(testbed, brand);
  worker = await startCapiWorker(testbed);
}, 60_000);
afterAll(async () => {
  await worker?.stop();
});

it('counts each delivered event once, on today’s UTC date, a retried batch included', async () => {
  const before = Date.now();
  const empty = await stats();
  expect(empty.status).toBe(200);
  expect((empty.body.destinations as DestinationStats[]).map((entry) => settled(entry))).toEqual([
    { delivered: 0, deadLettered: 0, openDeadLetters: 0, waiting: 0 },
    { delivered: 0, deadLettered: 0, openDeadLetters: 0, waiting: 0 },
  ]);

  // Meta's first request fails: the batch is retried and must not count twice.
  await control('faults', {
    platform: 'meta',
    route: 'POST /*/events',
    status: 500,
    count: 1,
    body: { error: { message: 'boom', code: 2 } },
  });
  const ids = Array.from({ length: 30 }, () => uniqueId('stat'));
  await post(ids.map((id) => leadEvent(id)));
  for (const provider of ['meta', 'tiktok'] as const) {
    await expect
      .poll(async () => settled(await statsOf(provider)), { timeout: 30_000 })
      .toEqual({ delivered: 30, deadLettered: 0, openDeadLetters: 0, waiting: 0 });
  }
  expect((await recordedIds(META_PIXEL)).filter((id) => ids.includes(id))).toHaveLength(30);
  // Time for a stray second count to show.
  await new Promise((resolve) => setTimeout(resolve, 500));

  const answer = await stats();
  const today = utcDate(Date.now());
  expect(answer.body.days).toBe(30);
  expect([utcDate(before - 29 * 86_400_000), utcDate(Date.now() - 29 * 86_400_000)]).toContain(answer.body.since);
  const [meta, tiktok] = answer.body.destinations as DestinationStats[];
  expect(meta).toMatchObject({
    destinationId: destinationIds.meta,
    name: `Meta pixel ${META_PIXEL}`,
    provider: 'meta',
    enabled: true,
    delivered: 30,
    deadLettered: 0,
    waiting: 0,
    openDeadLetters: 0,
    lastDeliveredAt: expect.any(String),
    // The failed first try is shown; the counts do not depend on it.
    lastError: { code: expect.any(String), message: expect.any(String), at: expect.any(String) },
  });
  expect(tiktok).toMatchObject({ destinationId: destinationIds.tiktok, provider: 'tiktok', delivered: 30 });
  expect(tiktok?.lastError).toBeNull();
  for (const entry of [meta, tiktok]) {
    const daily = entry?.daily ?? [];
    expect(daily).toHaveLength(30);
    expect(daily[0]?.day).toBe(answer.body.since);
    // Every day of the window, in order, with nothing on any day but today.
    for (const [index, day] of daily.entries()) {
      if (index > 0) expect(Date.parse(day.day) - Date.parse(daily[index - 1]?.day ?? '')).toBe(86_400_000);
    }
    expect(daily.at(-1)).toEqual({ day: today, delivered: 30, deadLettered: 0 });
    expect(daily.slice(0, -1).every((day) => day.delivered === 0 && day.deadLettered === 0)).toBe(true);
  }
  await control('faults/clear', {});
});

it('counts dead letters on their day and while open; a replay moves one from open to delivered', async () => {
  const [meta, tiktok] = [settled(await statsOf('meta')), settled(await statsOf('tiktok'))];
  const poison = Array.from({ length: 3 }, () => uniqueId('poison'));
  await control('events/reject', { platform: 'meta', eventIds: poison });
  await post([...Array.from({ length: 7 }, () => leadEvent(uniqueId('good'))), ...poison.map((id) => leadEvent(id))]);

  await expect
    .poll(async () => settled(await statsOf('meta')), { timeout: 30_000 })
    .toEqual({ delivered: meta.delivered + 7, deadLettered: 3, openDeadLetters: 3, waiting: 0 });
  await expect
    .poll(async () => settled(await statsOf('tiktok')), { timeout: 30_000 })
    .toEqual({ ...tiktok, delivered: tiktok.delivered + 10 });
  expect((await statsOf('meta')).daily.at(-1)).toMatchObject({ delivered: meta.delivered + 7, deadLettered: 3 });

  await control('faults/clear', {});
  const letters = await api(testbed.gateway.url, brand.apiKey, 'GET', '/v1/events/dead-letters?status=dead');
  const first = (letters.body.deadLetters as { id: string; eventId: string }[]).find(
    (letter) => letter.eventId === poison[0],
  );
  const replay = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/dead-letters/replay', {
    ids: [first?.id],
  });
  expect(replay.body).toEqual({ replayed: [first?.id], notReplayable: [] });
  // The replayed letter still happened (it stays a row); it is no longer open, and its event is delivered.
  await expect
    .poll(async () => settled(await statsOf('meta')), { timeout: 30_000 })
    .toEqual({ delivered: meta.delivered + 8, deadLettered: 3, openDeadLetters: 2, waiting: 0 });
});

it('shows another tenant none of it', async () => {
  const answer = await stats('?days=7', otherBrand.apiKey);
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ days: 7, since: expect.any(String), destinations: [] });
  expect((await stats('', 'adsync_not-a-key')).status).toBe(401);
});

it('refuses a window outside 1 to 90 days, or not a whole number', async () => {
  for (const query of ['?days=0', '?days=abc', '?days=91', '?days=1.5', '?days=', '?day=3']) {
    const answer = await stats(query);
    expect(answer.status, query).toBe(400);
    expect(answer.body.error?.code, query).toBe('invalid_request');
  }
  const one = await stats('?days=1');
  expect(one.status).toBe(200);
  expect(one.body.since).toBe(utcDate(Date.now()));
  for (const entry of one.body.destinations as DestinationStats[]) expect(entry.daily).toHaveLength(1);
  expect((await stats('?days=90')).body.days).toBe(90);
});
