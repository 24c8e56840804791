import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedPlatform, SimulatorContext } from '../core/platform.ts';
import { type RunningSimulator, startSimulator } from '../simulator.ts';

/** A minimal platform to exercise the shared machinery: one route, and a reset that is observable. */
function createProbePlatform(context: SimulatorContext): SimulatedPlatform {
  let resets = 0;
  return {
    id: 'meta',
    async routes(app) {
      app.get('/v25.0/ping', async () => ({ ok: true, now: context.clock.now(), resets }));
    },
    control: {
      revoke: () => 7,
      expireAccessTokens: () => 3,
      reset: () => {
        resets += 1;
      },
    },
    actions: { echo: (body) => body },
  };
}

let simulator: RunningSimulator;
const post = (path: string, body: unknown) =>
  fetch(`${simulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 }, {}, { platforms: [createProbePlatform] });
});
afterAll(async () => {
  await simulator.close();
});

describe('control API', () => {
  it('fails exactly the next N matching calls with the given response, then lets calls through', async () => {
    const rule = {
      platform: 'meta',
      route: 'GET /v*/ping',
      count: 2,
      status: 400,
      body: { error: { code: 2, message: 'Service temporarily unavailable' } },
      headers: { 'x-fb-debug': 'sim' },
    };
    expect((await post('/_control/faults', rule)).status).toBe(200);
    const first = await fetch(`${simulator.url}/meta/v25.0/ping`);
    expect(first.status).toBe(400);
    expect(first.headers.get('x-fb-debug')).toBe('sim');
    expect(await first.json()).toEqual(rule.body);
    expect((await fetch(`${simulator.url}/meta/v25.0/ping`)).status).toBe(400);
    expect((await fetch(`${simulator.url}/meta/v25.0/ping`)).status).toBe(200);
  });

  it('adds latency to matching calls', async () => {
    await post('/_control/latency', { platform: 'meta', route: 'GET /v25.0/ping', ms: 300 });
    const started = performance.now();
    await fetch(`${simulator.url}/meta/v25.0/ping`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await post('/_control/reset', {});
  });

  it('counts requests per route and status, and forgets them on reset', async () => {
    await post('/_control/reset', {});
    await fetch(`${simulator.url}/meta/v25.0/ping`);
    await fetch(`${simulator.url}/meta/v25.0/ping`);
    const { counts } = (await (await fetch(`${simulator.url}/_control/requests`)).json()) as {
      counts: Record<string, number>;
    };
    expect(counts['meta GET /v25.0/ping']).toBe(2);
    expect(counts['meta GET /v25.0/ping 200']).toBe(2);
    await post('/_control/reset', {});
    const after = (await (await fetch(`${simulator.url}/_control/requests`)).json()) as { counts: object };
    expect(after.counts).toEqual({});
  });

  it('moves the clock forward, passes revoke/expire/actions to the platform, and resets it', async () => {
    const before = ((await (await fetch(`${simulator.url}/meta/v25.0/ping`)).json()) as { now: number }).now;
    await post('/_control/clock/advance', { ms: 86_400_000 });
    const after = (await (await fetch(`${simulator.url}/meta/v25.0/ping`)).json()) as { now: number; resets: number };
    expect(after.now - before).toBeGreaterThanOrEqual(86_400_000);
    expect(await (await post('/_control/revoke', { platform: 'meta' })).json()).toEqual({ revoked: 7 });
    expect(await (await post('/_control/expire', { platform: 'meta', token: 't' })).json()).toEqual({ expired: 3 });
    expect(await (await post('/_control/meta/echo', { a: 1 })).json()).toEqual({ result: { a: 1 } });
    expect((await post('/_control/meta/nope', {})).status).toBe(404);
    await post('/_control/reset', {});
    const reset = (await (await fetch(`${simulator.url}/meta/v25.0/ping`)).json()) as { resets: number };
    expect(reset.resets).toBe(after.resets + 1);
  });

  it('rejects a malformed control request with a 400 that says what is wrong', async () => {
    const response = await post('/_control/faults', { platform: 'myspace', route: 'GET /x', status: 500 });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('platform');
  });

  it('makes events poison for one platform until faults/clear or reset drops the rule', async () => {
    const faults = simulator.context.faults;
    const rule = { platform: 'meta', eventIds: ['e-1', 'e-2'], message: 'poison' };
    expect(await (await post('/_control/events/reject', rule)).json()).toEqual({ ok: true });
    expect(faults.eventRejection('meta', 'e-2')).toEqual({ message: 'poison' });
    expect(faults.eventRejection('tiktok', 'e-2')).toBeUndefined();
    expect(faults.eventRejection('meta', 'e-3')).toBeUndefined();
    await post('/_control/faults/clear', {});
    expect(faults.eventRejection('meta', 'e-1')).toBeUndefined();
    await post('/_control/events/reject', { platform: 'tiktok', eventIds: ['e-4'] });
    expect(faults.eventRejection('tiktok', 'e-4')).toEqual({});
    await post('/_control/reset', {});
    expect(faults.eventRejection('tiktok', 'e-4')).toBeUndefined();
  });

  it('refuses a malformed poison rule', async () => {
    const bad = [
      { platform: 'google', eventIds: ['e-1'] },
      { platform: 'meta', eventIds: [] },
      { platform: 'meta', eventIds: [''] },
      { platform: 'meta', eventIds: Array.from({ length: 1001 }, (_unused, index) => `e-${index}`) },
      { platform: 'tiktok' },
    ];
    for (const body of bad)
      expect((await post('/_control/events/reject', body)).status, JSON.stringify(body)).toBe(400);
    const atLimit = { platform: 'tiktok', eventIds: Array.from({ length: 1000 }, (_unused, index) => `e-${index}`) };
    expect((await post('/_control/events/reject', atLimit)).status).toBe(200);
    await post('/_control/reset', {});
  });

  it('filters recorded events by eventId', async () => {
    await post('/_control/reset', {});
    const record = (eventId: string, platform: 'meta' | 'tiktok' = 'meta') =>
      simulator.context.recorder.recordEvent({
        platform,
        destination: 'pixel-1',
        receivedAt: 0,
        testEventCode: undefined,
        event: { event_id: eventId },
      });
    record('a');
    record('b');
    record('a', 'tiktok');
    const events = async (query: string) =>
      ((await (await fetch(`${simulator.url}/_control/events?${query}`)).json()) as { events: { platform: string }[] })
        .events;
    expect(await events('eventId=a')).toHaveLength(2);
    expect((await events('platform=tiktok&eventId=a')).map((event) => event.platform)).toEqual(['tiktok']);
    expect(await events('eventId=c')).toEqual([]);
    expect(await events('')).toHaveLength(3);
    await post('/_control/reset', {});
  });

  it('serves the spend truth for a seeded account', async () => {
    const response = await fetch(
      `${simulator.url}/_control/spend?platform=meta&account=act_1000000003&from=2026-01-05&to=2026-01-05`,
    );
    const body = (await response.json()) as { account: { timezone: string }; cells: { hour: number }[] };
    expect(body.account.timezone).toBe('Pacific/Tongatapu');
    expect(body.cells).toHaveLength(24);
    expect(
      (await fetch(`${simulator.url}/_control/spend?platform=meta&account=act_9&from=2026-01-05&to=2026-01-05`)).status,
    ).toBe(404);
  });
});
