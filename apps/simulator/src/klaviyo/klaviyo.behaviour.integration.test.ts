// Klaviyo behaviour over HTTP: rate-limit signals exactly at the configured limits, paging the 10,000-member
// segment, segment joins and leaves through the control actions, and private-key revocation.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../simulator.ts';
import { SEED_SEGMENTS } from './klaviyo.seed.ts';
import {
  type ApiErrors,
  bearerHeaders,
  collection,
  connect,
  control,
  FULL_KEY,
  firstError,
  keyHeaders,
  startKlaviyo,
} from './klaviyo.test-support.ts';

const BIG = SEED_SEGMENTS[0]?.id ?? '';
const VIP = SEED_SEGMENTS[1]?.id ?? '';

/** Moves the simulated clock to just past the next multiple of `periodMs`, so fixed windows start fresh. */
async function alignClock(sim: RunningSimulator, periodMs: number): Promise<void> {
  const { now } = (await (await control(sim, 'clock/advance', { ms: 0 })).json()) as { now: string };
  const at = Date.parse(now);
  await control(sim, 'clock/advance', { ms: periodMs - (at % periodMs) + 5 });
}

describe('rate limits (divisor 10: L = 7/s burst, 70/min steady)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startKlaviyo({ klaviyo: { rateLimitDivisor: 10 } });
  });
  afterAll(() => sim.close());
  const lists = (headers = keyHeaders()) => fetch(`${sim.url}/klaviyo/a/api/lists`, { headers });

  it('throttles the 8th call within a second with 429, Retry-After and a throttled error', async () => {
    await control(sim, 'reset', {});
    await alignClock(sim, 60_000);
    const remaining: string[] = [];
    for (let call = 1; call <= 7; call++) {
      const response = await lists();
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-limit')).toBe('70');
      expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      remaining.push(response.headers.get('ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['69', '68', '67', '66', '65', '64', '63']);
    const throttled = await lists();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(throttled.headers.get('ratelimit-limit')).toBeNull();
    const body = (await throttled.json()) as ApiErrors;
    expect(body.errors[0]).toMatchObject({ status: 429, code: 'throttled' });

    // Another endpoint has its own window, and an OAuth install has its own quota.
    const segments = await fetch(`${sim.url}/klaviyo/a/api/segments`, { headers: keyHeaders() });
    expect(segments.status).toBe(200);
    const tokens = await connect(sim);
    expect((await lists(bearerHeaders(tokens.access_token))).status).toBe(200);

    await control(sim, 'clock/advance', { ms: 1_000 });
    expect((await lists()).status).toBe(200);
  });

  it('throttles the 71st call within a minute with Retry-After until the minute ends', async () => {
    await control(sim, 'reset', {});
    await alignClock(sim, 60_000);
    for (let second = 0; second < 10; second++) {
      for (let call = 0; call < 7; call++) expect((await lists()).status).toBe(200);
      await control(sim, 'clock/advance', { ms: 1_000 });
    }
    const throttled = await lists();
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(45);
    expect(retryAfter).toBeLessThanOrEqual(50);
    await control(sim, 'clock/advance', { ms: retryAfter * 1000 });
    const recovered = await lists();
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get('ratelimit-remaining')).toBe('69');
  });

  it('applies the XS tier to /api/accounts (burst 1/s even at divisor 10)', async () => {
    await control(sim, 'reset', {});
    await alignClock(sim, 60_000);
    const accounts = () => fetch(`${sim.url}/klaviyo/a/api/accounts`, { headers: keyHeaders() });
    const first = await accounts();
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    expect((await accounts()).status).toBe(429);
  });
});

describe('segments and keys', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startKlaviyo({ klaviyo: { rateLimitDivisor: 0.01 } });
  });
  beforeEach(async () => {
    await control(sim, 'reset', {});
  });
  afterAll(() => sim.close());
  const get = (path: string) => fetch(`${sim.url}/klaviyo/a/api${path}`, { headers: keyHeaders() });

  it('pages all 10,000 members of the big segment by following links.next', async () => {
    const seen = new Set<string>();
    let next: string | null = `${sim.url}/klaviyo/a/api/segments/${BIG}/relationships/profiles?page%5Bsize%5D=100`;
    let pages = 0;
    while (next !== null) {
      const body = await collection(await fetch(next, { headers: keyHeaders() }));
      for (const member of body.data) seen.add(member.id);
      next = body.links.next;
      pages++;
    }
    expect(pages).toBe(100);
    expect(seen.size).toBe(10_000);
  });

  it('shows joins and leaves made with segment-add / segment-remove', async () => {
    const { now } = (await (await control(sim, 'clock/advance', { ms: 0 })).json()) as { now: string };
    const add = await control(sim, 'klaviyo/segment-add', { segmentId: VIP, count: 3 });
    const { result: added } = (await add.json()) as { result: { added: string[]; size: number } };
    expect(added.added).toHaveLength(3);
    expect(added.size).toBe(28);

    const since = encodeURIComponent(`greater-than(joined_group_at,${now})`);
    const joined = await collection(await get(`/segments/${VIP}/profiles?filter=${since}`));
    expect(joined.data.map((profile) => profile.id).sort()).toEqual([...added.added].sort());

    const remove = await control(sim, 'klaviyo/segment-remove', { segmentId: VIP, profileIds: [added.added[0]] });
    expect(((await remove.json()) as { result: { size: number } }).result.size).toBe(27);
    const ids = await collection(await get(`/segments/${VIP}/relationships/profiles?page%5Bsize%5D=100`));
    const members = ids.data.map((member) => member.id);
    expect(members).toHaveLength(27);
    expect(members).not.toContain(added.added[0]);
  });

  it('adds brand-new profiles to the big segment once every profile is a member', async () => {
    const add = await control(sim, 'klaviyo/segment-add', { segmentId: BIG, count: 2 });
    const { result } = (await add.json()) as { result: { added: string[]; size: number } };
    expect(result.size).toBe(10_002);
    const latest = await collection(await get(`/segments/${BIG}/profiles?sort=-joined_group_at&page%5Bsize%5D=2`));
    expect(latest.data.map((profile) => profile.attributes.email).sort()).toEqual([
      'person10001@example.com',
      'person10002@example.com',
    ]);
  });

  it('answers 401 once a private key is revoked (revoke-key action)', async () => {
    expect((await get('/lists')).status).toBe(200);
    const revoke = await control(sim, 'klaviyo/revoke-key', { key: FULL_KEY });
    expect(revoke.status).toBe(200);
    const response = await get('/lists');
    expect(response.status).toBe(401);
    expect((await firstError(response))?.code).toBe('not_authenticated');
  });
});
