// The Conversions API: valid batches are counted and recorded with their test_event_code; one bad event (8
// days old, unhashed, missing website fields, or made poison through the control API) rejects the whole
// request and records nothing.

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { META_PIXELS } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { type Json, longLivedToken, post, startMeta } from './meta.test-support.ts';

const PIXEL = META_PIXELS[0].id;
let sim: RunningSimulator;
let token = '';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function purchase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_name: 'Purchase',
    event_time: Math.floor(sim.context.clock.now() / 1000) - 3600,
    event_id: `order-${Math.random()}`,
    action_source: 'website',
    event_source_url: 'https://shop.example/checkout',
    user_data: { em: [sha256('dana@example.com')], client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.9' },
    custom_data: { value: 42.5, currency: 'USD' },
    ...overrides,
  };
}

async function recorded(query = ''): Promise<Json[]> {
  return ((await (await fetch(`${sim.url}/_control/events?platform=meta${query}`)).json()) as Json).events;
}

async function control(path: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  sim = await startMeta();
});
afterAll(() => sim.close());
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
  token = await longLivedToken(sim.url);
});

describe('POST /{pixel_id}/events', () => {
  it('counts a valid batch and records each event with its test_event_code', async () => {
    const events = [
      purchase(),
      purchase({ event_name: 'Lead', action_source: 'system_generated', custom_data: undefined }),
    ];
    const response = await post(sim.url, `${PIXEL}/events`, token, { data: events, test_event_code: 'TEST123' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({ events_received: 2, messages: [] });
    expect(typeof body.fbtrace_id).toBe('string');
    const stored = await recorded();
    expect(stored.map((event) => event.event.event_name)).toEqual(['Purchase', 'Lead']);
    expect(stored.every((event) => event.destination === PIXEL && event.testEventCode === 'TEST123')).toBe(true);
  });

  it('accepts the form-encoded `data=<json>` body', async () => {
    const response = await fetch(`${sim.url}/meta/graph/v25.0/${PIXEL}/events`, {
      method: 'POST',
      body: new URLSearchParams({ access_token: token, data: JSON.stringify([purchase()]) }),
    });
    expect(((await response.json()) as Json).events_received).toBe(1);
  });

  it('rejects the whole batch when one event is 8 days old, and records nothing', async () => {
    const eightDaysAgo = Math.floor(sim.context.clock.now() / 1000) - 8 * 86_400;
    const response = await post(sim.url, `${PIXEL}/events`, token, {
      data: [purchase(), purchase({ event_time: eightDaysAgo }), purchase()],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as Json;
    expect(error).toMatchObject({
      type: 'OAuthException',
      code: 100,
      error_subcode: 2804003,
      error_user_title: 'Event Timestamp Too Old',
    });
    expect(error.error_user_msg).toMatch(/^data\[1\]: /);
    expect(await recorded()).toEqual([]);
  });

  it('rejects unhashed or uppercase-hex user data, website events without their fields, and Purchases without value', async () => {
    const bad: Record<string, unknown>[] = [
      purchase({ user_data: { em: 'dana@example.com', client_user_agent: 'UA' } }),
      purchase({ user_data: { em: sha256('x').toUpperCase(), client_user_agent: 'UA' } }),
      purchase({ event_source_url: undefined }),
      purchase({ user_data: { em: sha256('x') } }),
      purchase({ custom_data: { currency: 'USD' } }),
      purchase({ action_source: 'carrier_pigeon' }),
      purchase({ event_name: '' }),
      purchase({ user_data: {} }),
    ];
    for (const event of bad) {
      const response = await post(sim.url, `${PIXEL}/events`, token, { data: [event] });
      expect(response.status, JSON.stringify(event)).toBe(400);
      expect(((await response.json()) as Json).error.code).toBe(100);
    }
    expect(await recorded()).toEqual([]);
  });

  it('limits a request to 1,000 events and requires data', async () => {
    const over = await post(sim.url, `${PIXEL}/events`, token, {
      data: Array.from({ length: 1001 }, () => purchase()),
    });
    expect(over.status).toBe(400);
    const atLimit = await post(sim.url, `${PIXEL}/events`, token, {
      data: Array.from({ length: 1000 }, () => purchase()),
    });
    expect(((await atLimit.json()) as Json).events_received).toBe(1000);
    const missing = await post(sim.url, `${PIXEL}/events`, token, {});
    expect(((await missing.json()) as Json).error.message).toBe('(#100) The parameter data is required');
  });

  it("a pixel outside the token's ad accounts does not exist for it", async () => {
    const other = await longLivedToken(sim.url, { accounts: ['act_1000000002'] });
    const response = await post(sim.url, `${PIXEL}/events`, other, { data: [purchase()] });
    expect(((await response.json()) as Json).error).toMatchObject({ code: 100, error_subcode: 33 });
    const reachable = await post(sim.url, `${META_PIXELS[1].id}/events`, other, { data: [purchase()] });
    expect(reachable.status).toBe(200);
  });
});

describe('poison events (POST /_control/events/reject)', () => {
  it('the first listed event rejects the whole batch as an invalid event, and nothing is recorded', async () => {
    const rule = { platform: 'meta', eventIds: ['poison-1', 'poison-2'], message: 'this event is poison.' };
    expect(await (await control('events/reject', rule)).json()).toEqual({ ok: true });
    const batch = [purchase(), purchase({ event_id: 'poison-2' }), purchase(), purchase({ event_id: 'poison-1' })];
    const response = await post(sim.url, `${PIXEL}/events`, token, { data: batch });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as Json;
    expect(error).toMatchObject({ type: 'OAuthException', code: 100, error_subcode: 2804008 });
    expect(error.error_user_msg).toBe('data[1]: this event is poison.');
    expect(await recorded()).toEqual([]);
    const clean = await post(sim.url, `${PIXEL}/events`, token, { data: [batch[0], batch[2]] });
    expect(((await clean.json()) as Json).events_received).toBe(2);
  });

  it('says the event is invalid when the rule has no message, and leaves the other platform alone', async () => {
    await control('events/reject', { platform: 'tiktok', eventIds: ['order-t'] });
    await control('events/reject', { platform: 'meta', eventIds: ['order-m'] });
    const tiktokId = await post(sim.url, `${PIXEL}/events`, token, { data: [purchase({ event_id: 'order-t' })] });
    expect(tiktokId.status).toBe(200);
    const metaId = await post(sim.url, `${PIXEL}/events`, token, { data: [purchase({ event_id: 'order-m' })] });
    expect(((await metaId.json()) as Json).error.error_user_msg).toMatch(/^data\[0\]: .*order-m/);
  });

  it('faults/clear and reset drop the rule, and the event goes through', async () => {
    await control('events/reject', { platform: 'meta', eventIds: ['poison-3'] });
    const event = purchase({ event_id: 'poison-3' });
    expect((await post(sim.url, `${PIXEL}/events`, token, { data: [event] })).status).toBe(400);
    expect(await (await control('faults/clear')).json()).toEqual({ ok: true });
    expect((await post(sim.url, `${PIXEL}/events`, token, { data: [event] })).status).toBe(200);

    await control('events/reject', { platform: 'meta', eventIds: ['poison-3'] });
    await control('reset');
    const fresh = await longLivedToken(sim.url);
    expect((await post(sim.url, `${PIXEL}/events`, fresh, { data: [event] })).status).toBe(200);
  });

  it('GET /_control/events filters by eventId', async () => {
    await post(sim.url, `${PIXEL}/events`, token, {
      data: [purchase({ event_id: 'keep' }), purchase({ event_id: 'other' }), purchase({ event_id: 'keep' })],
    });
    const kept = await recorded('&eventId=keep');
    expect(kept.map((event) => event.event.event_id)).toEqual(['keep', 'keep']);
    expect(await recorded('&eventId=absent')).toEqual([]);
  });
});
