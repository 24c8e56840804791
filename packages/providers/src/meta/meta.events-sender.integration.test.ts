// The Meta event sender against the simulator's Conversions API over HTTP: a batch is recorded with its
// test_event_code, an invalid or poison event rejects the batch naming its index, and outages, throttles,
// dead tokens and unknown pixels come back as the right failures, never quoting the token.

import { createHash } from 'node:crypto';
import { META_PIXELS, type RecordedEvent, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventBatchOutcome, EventBatchRequest } from '../events.ts';
import type { MetaSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import { createMetaEventSender } from './meta.events-sender.ts';
import { createMetaProvider } from './meta.provider.ts';

const PIXEL = META_PIXELS[0].id;
/** The second pixel belongs to act_1000000002. */
const OTHER_ACCOUNT_PIXEL = META_PIXELS[1].id;
const EVENTS_ROUTE = 'POST /graph/*/events';

let sim: RunningSimulator;
let settings: MetaSettings;
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

/** A long-lived token through the dialog's scripted approval and the real exchange. */
async function accessToken(accounts?: readonly string[]): Promise<string> {
  const { result } = (await control('meta/authorize', {
    redirect_uri: settings.redirectUri,
    ...(accounts === undefined ? {} : { accounts }),
  })) as { result: { code: string } };
  const tokens = await createMetaProvider(settings).exchangeCode({ code: result.code });
  if (!tokens.ok) throw new Error(tokens.error.message);
  return tokens.value.accessToken;
}

function purchase(eventId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(Date.now() / 1000) - 3600,
    event_id: eventId,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: { em: [sha256('dana@example.com')], client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.9' },
    custom_data: { value: 42.5, currency: 'USD' },
    ...overrides,
  };
}

function send(events: Record<string, unknown>[], extra: Partial<EventBatchRequest> = {}): Promise<EventBatchOutcome> {
  return createMetaEventSender(settings).send({
    pixelId: PIXEL,
    accessToken: token,
    testEventCode: null,
    events,
    ...extra,
  });
}

async function recorded(query = `platform=meta&destination=${PIXEL}`): Promise<RecordedEvent[]> {
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
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').meta;
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control('reset');
  token = await accessToken();
});

describe('Meta event sender', () => {
  it('takes up to 1,000 events a batch', () => {
    expect(createMetaEventSender(settings)).toMatchObject({ provider: 'meta', maxBatch: 1000 });
  });

  it('delivers a batch: the platform records every event as sent, with the test_event_code', async () => {
    const events = [purchase('order-1'), purchase('lead-1', { event_name: 'Lead', custom_data: undefined })];
    expect(await send(events, { testEventCode: 'TEST123' })).toEqual({ kind: 'delivered', received: 2 });
    const stored = await recorded();
    expect(stored.map((event) => event.event)).toEqual(JSON.parse(JSON.stringify(events)));
    expect(stored.every((event) => event.testEventCode === 'TEST123')).toBe(true);
  });

  it('sends no test_event_code when there is none', async () => {
    expect(await send([purchase('order-2')])).toEqual({ kind: 'delivered', received: 1 });
    const [stored] = await recorded();
    expect(stored?.testEventCode).toBeUndefined();
  });

  it('an empty batch is delivered without a call; a batch over maxBatch is a bug and throws', async () => {
    expect(await send([])).toEqual({ kind: 'delivered', received: 0 });
    const { counts } = (await (await fetch(`${sim.url}/_control/requests`)).json()) as { counts: object };
    expect(Object.keys(counts).some((key) => key.includes('/events'))).toBe(false);
    const tooMany = Array.from({ length: 1001 }, (_unused, index) => purchase(`bulk-${index}`));
    await expect(send(tooMany)).rejects.toThrow(RangeError);
  });

  it('a batch with one unhashed email is rejected whole, naming that event, and nothing is recorded', async () => {
    const unhashed = purchase('order-3', { user_data: { em: 'Dana@Example.com', client_user_agent: 'UA' } });
    const outcome = rejection(await send([purchase('order-4'), purchase('order-5'), unhashed]));
    expect(outcome.eventIndex).toBe(2);
    expect(outcome.error).toMatchObject({ code: 'invalid_request', retryable: false, platformCode: '100/2804013' });
    expect(outcome.error.message).toContain('data[2]: user_data.em');
    expect(await recorded()).toEqual([]);
  });

  it('an event too old is rejected naming it', async () => {
    const old = purchase('order-6', { event_time: Math.floor(Date.now() / 1000) - 8 * 86_400 });
    const outcome = rejection(await send([old, purchase('order-7')]));
    expect(outcome.eventIndex).toBe(0);
    expect(outcome.error.platformCode).toBe('100/2804003');
  });

  it('a poison event rejects its batch, naming its index, until the rule is cleared', async () => {
    await control('events/reject', { platform: 'meta', eventIds: ['poison-1'], message: 'simulated poison' });
    const healthy = [purchase('order-8'), purchase('order-9'), purchase('order-10')];
    const outcome = rejection(await send([healthy[0] ?? {}, healthy[1] ?? {}, purchase('poison-1'), healthy[2] ?? {}]));
    expect(outcome.eventIndex).toBe(2);
    expect(outcome.error).toMatchObject({ code: 'invalid_request', platformCode: '100/2804008' });
    expect(outcome.error.message).toContain('data[2]: simulated poison');
    expect(await recorded()).toEqual([]);
    // The batch without it goes through; after clearing, so does the poison event.
    expect(await send(healthy)).toEqual({ kind: 'delivered', received: 3 });
    await control('faults/clear');
    expect(await send([purchase('poison-1')])).toEqual({ kind: 'delivered', received: 1 });
    expect(await recorded(`platform=meta&eventId=poison-1`)).toHaveLength(1);
  });

  it('a 5xx is a retryable unavailable failure', async () => {
    await control('faults', {
      platform: 'meta',
      route: EVENTS_ROUTE,
      status: 500,
      body: { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } },
    });
    expect(failure(await send([purchase('order-11')]))).toMatchObject({ code: 'unavailable', retryable: true });
    await control('faults', { platform: 'meta', route: EVENTS_ROUTE, status: 503, body: null });
    expect(failure(await send([purchase('order-11')]))).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await recorded()).toEqual([]);
  });

  it('a throttle is rate_limited for the budget Graph names, with the time to regain access', async () => {
    await control('faults', {
      platform: 'meta',
      route: EVENTS_ROUTE,
      status: 400,
      body: {
        error: {
          message: '(#80004) There have been too many calls to this ad-account. Wait a bit and try again.',
          type: 'OAuthException',
          code: 80004,
          error_subcode: 2446079,
        },
      },
      headers: {
        'x-business-use-case-usage': JSON.stringify({
          '1000000001': [{ type: 'ads_management', call_count: 100, estimated_time_to_regain_access: 3 }],
        }),
      },
    });
    expect(failure(await send([purchase('order-12')]))).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      limitScope: 'account',
      retryAfterMs: 180_000,
      platformCode: '80004/2446079',
    });
    await control('faults', {
      platform: 'meta',
      route: EVENTS_ROUTE,
      status: 400,
      body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } },
    });
    expect(failure(await send([purchase('order-12')]))).toMatchObject({ code: 'rate_limited', limitScope: 'app' });
  });

  it('a revoked token is invalid_grant, and the message never holds the token', async () => {
    await control('revoke', { platform: 'meta', token });
    const error = failure(await send([purchase('order-13')]));
    expect(error).toMatchObject({ code: 'invalid_grant', retryable: false, platformCode: '190/458' });
    const garbage = failure(await send([purchase('order-13')], { accessToken: 'not-a-token-at-all' }));
    expect(garbage.code).toBe('invalid_grant');
    expect(garbage.message).not.toContain('not-a-token-at-all');
  });

  it('a pixel that does not exist, or is outside the grant, is not_found', async () => {
    expect(failure(await send([purchase('order-14')], { pixelId: '2999999999999999' }))).toMatchObject({
      code: 'not_found',
      retryable: false,
      platformCode: '100/33',
    });
    token = await accessToken(['act_1000000001']);
    expect(failure(await send([purchase('order-15')], { pixelId: OTHER_ACCOUNT_PIXEL })).code).toBe('not_found');
    expect(await send([purchase('order-15')])).toEqual({ kind: 'delivered', received: 1 });
  });

  it('a network failure or a stopped worker is unavailable and retryable', async () => {
    const closed = createMetaEventSender({ ...settings, graphUrl: 'http://127.0.0.1:1/meta/graph/v25.0' });
    const down = await closed.send({
      pixelId: PIXEL,
      accessToken: token,
      testEventCode: null,
      events: [purchase('a')],
    });
    expect(failure(down)).toMatchObject({ code: 'unavailable', retryable: true });
    const stopped = await send([purchase('order-16')], { signal: AbortSignal.abort() });
    expect(failure(stopped)).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await recorded()).toEqual([]);
  });
});
