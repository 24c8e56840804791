// Events API 2.0 over real HTTP: accepted batches reach the recorder, rejected ones (bad fields, unhashed
// PII, events made poison through the control API) do not.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../core/recorder.ts';
import type { RunningSimulator } from '../simulator.ts';
import { api, connect, control, postJson, startTikTok } from './tiktok.fixture.ts';

const PIXEL = 'C8SIMPIXEL0000000001';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function purchase(id: string): Record<string, unknown> {
  return {
    event: 'CompletePayment',
    event_time: 1_769_900_000,
    event_id: id,
    user: {
      email: sha256('dana@example.com'),
      phone: sha256('+14155550100'),
      external_id: sha256('customer-1'),
      ttclid: 'E.C.P.abc',
      ip: '203.0.113.5',
      user_agent: 'Mozilla/5.0',
    },
    properties: { value: 99.5, currency: 'USD', contents: [{ content_id: 'sku1', quantity: 2 }] },
    page: { url: 'https://shop.example.com/checkout' },
  };
}

describe('TikTok Events API 2.0', () => {
  let simulator: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    simulator = await startTikTok();
  });
  afterAll(() => simulator.close());
  beforeEach(async () => {
    await control(simulator, 'reset', {});
    token = (await connect(simulator)).access_token;
  });

  const track = (body: unknown) => postJson(`${api(simulator)}/event/track/`, body, { 'Access-Token': token });
  const recorded = async () => {
    const response = await fetch(`${simulator.url}/_control/events?platform=tiktok&destination=${PIXEL}`);
    return ((await response.json()) as { events: RecordedEvent[] }).events;
  };

  it('records every accepted event for its pixel, with the test event code', async () => {
    const response = await track({
      event_source: 'web',
      event_source_id: PIXEL,
      test_event_code: 'TEST123',
      data: [purchase('order-1'), purchase('order-2')],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ code: 0, message: 'OK', data: {} });
    const events = await recorded();
    expect(events.map((event) => event.event.event_id)).toEqual(['order-1', 'order-2']);
    expect(events[0]).toMatchObject({ platform: 'tiktok', destination: PIXEL, testEventCode: 'TEST123' });
  });

  it('rejects the batch with 40062 when an identifier is not a SHA-256 hash', async () => {
    const raw = purchase('order-3');
    raw.user = { ...(raw.user as object), email: 'Dana@Example.com' };
    const response = await track({ event_source: 'web', event_source_id: PIXEL, data: [purchase('ok'), raw] });
    expect(response.body.code).toBe(40062);
    expect(response.body.message).toContain('data[1].user.email');
    const upper = purchase('order-4');
    upper.user = { email: sha256('x').toUpperCase() };
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: [upper] })).body.code).toBe(40062);
    expect(await recorded()).toEqual([]);
  });

  it('names the bad field of the bad event in a 40002', async () => {
    const late = purchase('order-5');
    delete late.event_time;
    const response = await track({ event_source: 'web', event_source_id: PIXEL, data: [purchase('a'), late] });
    expect(response.body.code).toBe(40002);
    expect(response.body.message).toContain('data[1].event_time');
    const noSource = await track({ event_source: 'web', data: [purchase('b')] });
    expect(noSource.body.code).toBe(40002);
    expect(noSource.body.message).toContain('event_source_id');
  });

  it('rejects an empty batch and one over 1,000 events', async () => {
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: [] })).body.code).toBe(40061);
    const many = Array.from({ length: 1001 }, (_unused, index) => purchase(`bulk-${index}`));
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: many })).body.code).toBe(40061);
    const most = many.slice(0, 1000);
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: most })).body.code).toBe(0);
    expect(await recorded()).toHaveLength(1000);
  });

  it('rejects the whole batch on the first poison event with a 40002 naming its event_id, until cleared', async () => {
    const rule = { platform: 'tiktok', eventIds: ['poison-2', 'poison-1'], message: 'Event is poison.' };
    expect(await control(simulator, 'events/reject', rule)).toEqual({ ok: true });
    const batch = [purchase('d'), purchase('poison-1'), purchase('poison-2')];
    const response = await track({ event_source: 'web', event_source_id: PIXEL, data: batch });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ code: 40002, message: 'data[1].event_id: Event is poison.' });
    expect(await recorded()).toEqual([]);
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: [purchase('e')] })).body.code).toBe(0);

    await control(simulator, 'faults/clear', {});
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: batch })).body.code).toBe(0);
    const poison = await fetch(`${simulator.url}/_control/events?platform=tiktok&eventId=poison-1`);
    expect(((await poison.json()) as { events: RecordedEvent[] }).events).toHaveLength(1);
  });

  it('a poison rule without a message still names the event; reset drops the rule', async () => {
    await control(simulator, 'events/reject', { platform: 'tiktok', eventIds: ['poison-3'] });
    const rejected = await track({ event_source: 'web', event_source_id: PIXEL, data: [purchase('poison-3')] });
    expect(rejected.body.code).toBe(40002);
    expect(rejected.body.message).toMatch(/^data\[0\]\.event_id: .*poison-3/);
    await control(simulator, 'reset', {});
    token = (await connect(simulator)).access_token;
    expect((await track({ event_source: 'web', event_source_id: PIXEL, data: [purchase('poison-3')] })).body.code).toBe(
      0,
    );
  });

  it('requires the Access-Token header', async () => {
    const response = await postJson(`${api(simulator)}/event/track/`, {
      event_source: 'web',
      event_source_id: PIXEL,
      data: [purchase('c')],
    });
    expect(response.body.code).toBe(40104);
  });
});
