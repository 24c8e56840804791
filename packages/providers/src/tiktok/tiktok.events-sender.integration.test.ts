// The TikTok event sender against the simulator's Events API over HTTP: a batch is recorded with its
// test_event_code, an unhashed or poison event rejects the batch naming its index, and outages, throttles
// and dead tokens come back as the right failures, never quoting the token.

import { createHash } from 'node:crypto';
import { completeConsent, type RecordedEvent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventBatchOutcome, EventBatchRequest } from '../events.ts';
import type { TikTokSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { createTikTokEventSender } from './tiktok.events-sender.ts';
import { createTikTokProvider } from './tiktok.provider.ts';

const PIXEL = 'C8SIMPIXEL0000000001';
const TRACK_ROUTE = 'POST /open_api/v1.3/event/track/';

let sim: RunningSimulator;
let settings: TikTokSettings;
let token: string;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

async function control(path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** The consent page approved by plain HTTP and the auth_code exchanged by the real client. */
async function connect(): Promise<string> {
  const provider = createTikTokProvider(settings);
  const landed = await completeConsent(provider.authorizationUrl({ state: 's' }), { decision: 'approve' });
  const outcome = provider.readCallback(Object.fromEntries(landed.searchParams));
  if (outcome.kind !== 'code') throw new Error(outcome.message);
  const tokens = await provider.exchangeCode({ code: outcome.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value.accessToken;
}

function purchase(eventId: string, user: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event: 'CompletePayment',
    event_time: Math.floor(Date.now() / 1000) - 60,
    event_id: eventId,
    user: { email: sha256('dana@example.com'), ttclid: 'E.C.P.abc', ip: '203.0.113.5', ...user },
    properties: { value: 99.5, currency: 'USD', contents: [{ content_id: 'sku1', quantity: 2 }] },
    page: { url: 'https://shop.example.com/checkout' },
  };
}

function send(events: Record<string, unknown>[], extra: Partial<EventBatchRequest> = {}): Promise<EventBatchOutcome> {
  return createTikTokEventSender(settings).send({
    pixelId: PIXEL,
    accessToken: token,
    testEventCode: null,
    events,
    ...extra,
  });
}

async function recorded(query = `platform=tiktok&destination=${PIXEL}`): Promise<RecordedEvent[]> {
  const response = await fetch(`${sim.url}/_control/events?${query}`);
  return ((await response.json()) as { events: RecordedEvent[] }).events;
}

function failure(outcome: EventBatchOutcome) {
  if (outcome.kind !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  expect(outcome.error.message).not.toContain(token);
  return outcome.error;
}

function rejection(outcome: EventBatchOutcome) {
  if (outcome.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  expect(outcome.error.message).not.toContain(token);
  return outcome;
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').tiktok;
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control('reset');
  token = await connect();
});

describe('TikTok event sender', () => {
  it('takes up to 1,000 events a batch', () => {
    expect(createTikTokEventSender(settings)).toMatchObject({ provider: 'tiktok', maxBatch: 1000 });
  });

  it('delivers a batch: the platform records every event as sent, for the pixel, with the test_event_code', async () => {
    const events = [purchase('order-1'), purchase('order-2')];
    expect(await send(events, { testEventCode: 'TEST123' })).toEqual({ kind: 'delivered', received: 2 });
    const stored = await recorded();
    expect(stored.map((event) => event.event)).toEqual(events);
    expect(stored.every((event) => event.testEventCode === 'TEST123')).toBe(true);
    expect(await send([purchase('order-3')])).toEqual({ kind: 'delivered', received: 1 });
    const [third] = await recorded(`platform=tiktok&eventId=order-3`);
    expect(third?.testEventCode).toBeUndefined();
  });

  it('an empty batch is delivered without a call; a batch over maxBatch is a bug and throws', async () => {
    expect(await send([])).toEqual({ kind: 'delivered', received: 0 });
    const tooMany = Array.from({ length: 1001 }, (_unused, index) => purchase(`bulk-${index}`));
    await expect(send(tooMany)).rejects.toThrow(RangeError);
    expect(await recorded()).toEqual([]);
  });

  it('a batch with one unhashed email is rejected whole (40062), naming that event, and nothing is recorded', async () => {
    const outcome = rejection(await send([purchase('order-4'), purchase('order-5', { email: 'Dana@Example.com' })]));
    expect(outcome.eventIndex).toBe(1);
    expect(outcome.error).toMatchObject({ code: 'invalid_request', retryable: false, platformCode: '40062' });
    expect(outcome.error.message).toContain('data[1].user.email');
    expect(await recorded()).toEqual([]);
  });

  it('a bad field is a 40002 naming the event', async () => {
    const late = purchase('order-6');
    delete late.event_time;
    const outcome = rejection(await send([late, purchase('order-7')]));
    expect(outcome).toMatchObject({ eventIndex: 0, error: { platformCode: '40002' } });
  });

  it('a poison event rejects its batch, naming its index, until the rule is cleared', async () => {
    await control('events/reject', { platform: 'tiktok', eventIds: ['poison-1'] });
    const outcome = rejection(await send([purchase('order-8'), purchase('poison-1'), purchase('order-9')]));
    expect(outcome.eventIndex).toBe(1);
    expect(outcome.error).toMatchObject({ code: 'invalid_request', platformCode: '40002' });
    expect(outcome.error.message).toContain('data[1].event_id');
    expect(await recorded()).toEqual([]);
    expect(await send([purchase('order-8'), purchase('order-9')])).toEqual({ kind: 'delivered', received: 2 });
    await control('faults/clear');
    expect(await send([purchase('poison-1')])).toEqual({ kind: 'delivered', received: 1 });
    expect(await recorded(`platform=tiktok&eventId=poison-1`)).toHaveLength(1);
  });

  it('a 5xx or a bare 4xx is a retryable unavailable failure', async () => {
    await control('faults', { platform: 'tiktok', route: TRACK_ROUTE, status: 503, body: null });
    expect(failure(await send([purchase('order-10')]))).toMatchObject({ code: 'unavailable', retryable: true });
    await control('faults', { platform: 'tiktok', route: TRACK_ROUTE, status: 404, body: { message: 'Not Found' } });
    expect(failure(await send([purchase('order-10')]))).toMatchObject({
      code: 'unavailable',
      retryable: true,
      platformCode: 'http_404',
    });
    await control('faults', {
      platform: 'tiktok',
      route: TRACK_ROUTE,
      status: 200,
      body: { code: 50000, message: 'System error.', request_id: 'r', data: {} },
    });
    expect(failure(await send([purchase('order-10')]))).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await recorded()).toEqual([]);
  });

  it('a throttle is rate_limited for the budget its code names', async () => {
    const throttle = (code: number, message: string) =>
      control('faults', {
        platform: 'tiktok',
        route: TRACK_ROUTE,
        status: 200,
        body: { code, message, request_id: 'r', data: {} },
      });
    await throttle(40100, 'Too many requests. The request frequency of this app exceeds the QPS limit.');
    expect(failure(await send([purchase('order-11')]))).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      limitScope: 'app',
      retryAfterMs: 1_000,
      platformCode: '40100',
    });
    await throttle(40132, 'The QPS of pixel_code exceeds the limit.');
    expect(failure(await send([purchase('order-11')]))).toMatchObject({ code: 'rate_limited', limitScope: 'endpoint' });
    await throttle(40133, 'Advertiser QPM limit reached.');
    expect(failure(await send([purchase('order-11')]))).toMatchObject({
      code: 'rate_limited',
      limitScope: 'account',
      retryAfterMs: 300_000,
    });
  });

  it('a revoked, garbage or missing token is invalid_grant, and the message never holds the token', async () => {
    await control('revoke', { platform: 'tiktok', token });
    expect(failure(await send([purchase('order-12')]))).toMatchObject({
      code: 'invalid_grant',
      retryable: false,
      platformCode: '40105',
    });
    const garbage = failure(await send([purchase('order-12')], { accessToken: 'not-a-token-at-all' }));
    expect(garbage.code).toBe('invalid_grant');
    expect(garbage.message).not.toContain('not-a-token-at-all');
    expect(failure(await send([purchase('order-12')], { accessToken: '' }))).toMatchObject({
      code: 'invalid_grant',
      platformCode: '40104',
    });
  });

  it('no permission on the pixel is permission_denied', async () => {
    await control('faults', {
      platform: 'tiktok',
      route: TRACK_ROUTE,
      status: 200,
      body: { code: 40001, message: 'No permission to operate pixel.', request_id: 'r', data: {} },
    });
    expect(failure(await send([purchase('order-13')]))).toMatchObject({ code: 'permission_denied', retryable: false });
  });

  it('a network failure or a stopped worker is unavailable and retryable', async () => {
    const closed = createTikTokEventSender({ ...settings, apiUrl: 'http://127.0.0.1:1/tiktok/open_api/v1.3' });
    const down = await closed.send({
      pixelId: PIXEL,
      accessToken: token,
      testEventCode: null,
      events: [purchase('a')],
    });
    expect(failure(down)).toMatchObject({ code: 'unavailable', retryable: true });
    const stopped = await send([purchase('order-14')], { signal: AbortSignal.abort() });
    expect(failure(stopped)).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await recorded()).toEqual([]);
  });
});
