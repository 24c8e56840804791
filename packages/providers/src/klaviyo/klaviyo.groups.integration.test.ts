import { KLAVIYO_PRIVATE_KEYS, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KlaviyoSettings } from '../settings.ts';
import { simulatorProviderSettings } from '../simulator-settings.ts';
import type { CallPacer, UsageSignal } from '../spend.ts';
import { startRequestTrap } from '../testing/request-trap.ts';
import {
  forEachSegmentMemberPage,
  type KlaviyoReader,
  listKlaviyoCatalogItems,
  listKlaviyoLists,
  listKlaviyoSegments,
} from './klaviyo.groups.ts';
import { createKlaviyoList, listMembersAmong, submitSubscriptionJob } from './klaviyo.lists.ts';

const [{ key: FULL_KEY }] = KLAVIYO_PRIVATE_KEYS;
const MEMBERS_ROUTE = 'GET /a/api/segments/*/relationships/profiles*';

let sim: RunningSimulator;
let settings: KlaviyoSettings;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  settings = simulatorProviderSettings(sim.url, 'https://adsync.example').klaviyo;
});
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
});
afterAll(() => sim.close());

/** A pacer that always has room and remembers what it was asked and told. */
function recordingPacer(): CallPacer & { endpoints: string[]; signals: UsageSignal[] } {
  const endpoints: string[] = [];
  const signals: UsageSignal[] = [];
  return {
    endpoints,
    signals,
    before: async (endpoint) => {
      endpoints.push(endpoint);
      return true;
    },
    usage: async (signal) => {
      signals.push(signal);
    },
  };
}

function reader(overrides: Partial<KlaviyoReader> = {}): KlaviyoReader & { waits: number[] } {
  const waits: number[] = [];
  return {
    settings,
    credential: { kind: 'private_key', key: FULL_KEY },
    pacer: recordingPacer(),
    sleep: async (ms) => {
      waits.push(ms);
    },
    waits,
    ...overrides,
  };
}

async function fault(count: number, status: number, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'klaviyo', route: MEMBERS_ROUTE, count, status, body, headers }),
  });
  if (!response.ok) throw new Error(`faults answered ${response.status}`);
}

async function engagedSegmentId(): Promise<string> {
  const segments = await listKlaviyoSegments(reader());
  if (!segments.ok) throw new Error(segments.error.message);
  const engaged = segments.value.find((segment) => segment.name === 'Engaged 90 Days');
  if (engaged === undefined) throw new Error('no seed segment');
  return engaged.id;
}

describe('Klaviyo lists and segments', () => {
  it('lists every list and segment with its name and times', async () => {
    const lists = await listKlaviyoLists(reader());
    const segments = await listKlaviyoSegments(reader());
    if (!lists.ok || !segments.ok) throw new Error('read failed');
    expect(lists.value.length).toBeGreaterThan(0);
    expect(segments.value.map((segment) => segment.name)).toEqual(['Engaged 90 Days', 'VIP Customers']);
    expect(segments.value[0]?.created).toMatch(/^2025-03-01T08:00:00/);
  });

  it('lists every catalog item with its Klaviyo id and the brand’s external id', async () => {
    const items = await listKlaviyoCatalogItems(reader());
    if (!items.ok) throw new Error(items.error.message);
    expect(items.value).toHaveLength(50);
    expect(items.value[0]).toMatchObject({
      id: '$custom:::$default:::SKU-0001',
      externalId: 'SKU-0001',
      published: true,
    });
  });

  it('reads a 10,000-member segment as profile ids across 100 pages, pacing every request', async () => {
    const segmentId = await engagedSegmentId();
    const paced = reader();
    // This pacer never holds back, so the simulator's own L-tier window (75/s) may throttle: really wait.
    paced.sleep = async (ms) => {
      paced.waits.push(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const ids: string[] = [];
    const read = await forEachSegmentMemberPage(paced, segmentId, (page) => {
      ids.push(...page);
    });
    if (!read.ok) throw new Error(read.error.message);
    expect(read.value).toEqual({ pages: 100, items: 10_000 });
    expect(new Set(ids).size).toBe(10_000);
    const pacer = paced.pacer as ReturnType<typeof recordingPacer>;
    // Every request is paced, a retry after a 429 included.
    expect(pacer.endpoints.filter((endpoint) => endpoint === 'segment-members')).toHaveLength(100 + paced.waits.length);
    // RateLimit-* headers reach the pacer as usage of the account's window.
    expect(pacer.signals.length).toBeGreaterThanOrEqual(100);
    expect(pacer.signals.every((signal) => signal.scope === 'account')).toBe(true);
  });

  it('a 429 storm is waited out (Retry-After) and the same page asked again: slower, not failed', async () => {
    const segmentId = await engagedSegmentId();
    const throttled = { errors: [{ status: 429, code: 'throttled', title: 'Request was throttled.' }] };
    await fault(5, 429, throttled, { 'Retry-After': '2' });
    // The simulator's own L-tier window (75/s) throttles too: its one-second Retry-Afters are really waited.
    const stormy = reader();
    stormy.sleep = async (ms) => {
      stormy.waits.push(ms);
      if (ms <= 1_000) await new Promise((resolve) => setTimeout(resolve, ms));
    };
    const ids = new Set<string>();
    const read = await forEachSegmentMemberPage(stormy, segmentId, (page) => {
      for (const id of page) ids.add(id);
    });
    if (!read.ok) throw new Error(read.error.message);
    expect(ids.size).toBe(10_000);
    expect(stormy.waits.filter((ms) => ms === 2_000)).toHaveLength(5);
    const pacer = stormy.pacer as ReturnType<typeof recordingPacer>;
    expect(pacer.signals.filter((signal) => signal.regainAccessInMs === 2_000)).toHaveLength(5);
  });

  it('a storm longer than the read may wait ends it as rate_limited', async () => {
    const segmentId = await engagedSegmentId();
    await fault(10, 429, { errors: [{ code: 'throttled' }] }, { 'Retry-After': '30' });
    const read = await forEachSegmentMemberPage(reader({ maxThrottleWaitMs: 60_000 }), segmentId, () => undefined);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.code).toBe('rate_limited');
  });

  it('a deleted private key is invalid_grant, with what to do', async () => {
    await fetch(`${sim.url}/_control/klaviyo/revoke-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: FULL_KEY }),
    });
    const read = await listKlaviyoSegments(reader());
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error.code).toBe('invalid_grant');
      expect(read.error.message).toMatch(/private key/);
      expect(read.error.message).not.toContain(FULL_KEY);
    }
  });

  it('a next-page link off the API host is not followed: nothing, and not the key, reaches that host', async () => {
    const segmentId = await engagedSegmentId();
    const trap = await startRequestTrap();
    try {
      await fault(1, 200, { data: [], links: { next: `${trap.url}/api/segments/?page%5Bcursor%5D=x` } });
      const read = await forEachSegmentMemberPage(reader(), segmentId, () => undefined);
      expect(read.ok).toBe(false);
      if (read.ok) return;
      expect(read.error).toMatchObject({ code: 'invalid_response', retryable: false });
      expect(read.error.message).toBe(
        `Klaviyo gave a next-page link for a segment’s members on another host (${new URL(trap.url).host}); adsync refused to follow it, since the credentials would go with it.`,
      );
      expect(trap.requests).toEqual([]);
    } finally {
      await trap.close();
    }
  });

  it('links.next that never ends stops at the cap: an error, not a shortened list, and no request past it', async () => {
    const segmentId = await engagedSegmentId();
    const loop = `${settings.apiUrl}/segments/${segmentId}/relationships/profiles/?page%5Bcursor%5D=loop`;
    await fault(20, 200, { data: [{ type: 'profile', id: 'P1' }], links: { next: loop } });
    const capped = reader({ maxPages: 5 });
    const pages: string[][] = [];
    const read = await forEachSegmentMemberPage(capped, segmentId, (page) => {
      pages.push(page);
    });
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toEqual({
      code: 'invalid_response',
      retryable: false,
      message:
        'Klaviyo had more than 5 pages of a segment’s members; adsync stopped reading rather than keep only part of them.',
    });
    // Five requests went out and no sixth; the caller got an error, not a shortened member list.
    const pacer = capped.pacer as ReturnType<typeof recordingPacer>;
    expect(pacer.endpoints).toEqual(Array(5).fill('segment-members'));
    expect(pages).toHaveLength(5);
  });
});

describe('Klaviyo list writes', () => {
  const advance = (ms: number) =>
    fetch(`${sim.url}/_control/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });

  it('creates a list, subscribes profiles with consent, sees them join, then unsubscribes one', async () => {
    const created = await createKlaviyoList(reader(), 'adsync test list');
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.name).toBe('adsync test list');
    const listId = created.value.id;
    const profiles = [
      { email: 'ada@example.com', phoneNumber: null, channels: ['email' as const] },
      { email: null, phoneNumber: '+15005550006', channels: ['sms' as const] },
      // No consent for any channel: Klaviyo records the profile but does not make it a subscriber.
      { email: 'no.consent@example.com', phoneNumber: null, channels: [] },
    ];
    const submitted = await submitSubscriptionJob(reader(), {
      kind: 'subscribe',
      listId,
      customSource: 'adsync',
      profiles,
    });
    expect(submitted.ok).toBe(true);
    const wanted = { emails: ['ada@example.com', 'no.consent@example.com'], phoneNumbers: ['+15005550006'] };
    const before = await listMembersAmong(reader(), listId, wanted);
    expect(before.ok && [...before.value]).toEqual([]);
    await advance(6_000);
    const after = await listMembersAmong(reader(), listId, wanted);
    expect(after.ok && [...after.value].sort()).toEqual(['+15005550006', 'ada@example.com']);

    const removed = await submitSubscriptionJob(reader(), {
      kind: 'unsubscribe',
      listId,
      profiles: [{ email: 'ada@example.com', phoneNumber: null, channels: ['email'] }],
    });
    expect(removed.ok).toBe(true);
    await advance(6_000);
    const last = await listMembersAmong(reader(), listId, wanted);
    expect(last.ok && [...last.value]).toEqual(['+15005550006']);
  });

  it('a job for a list that does not exist is not_found; an oversize job is refused before any call', async () => {
    const profile = { email: 'a@example.com', phoneNumber: null, channels: ['email' as const] };
    const missing = await submitSubscriptionJob(reader(), { kind: 'subscribe', listId: 'NoSuch', profiles: [profile] });
    expect(!missing.ok && missing.error.code).toBe('not_found');
    const paced = reader();
    const oversize = await submitSubscriptionJob(paced, {
      kind: 'subscribe',
      listId: 'NoSuch',
      profiles: Array.from({ length: 1_001 }, () => profile),
    });
    expect(!oversize.ok && oversize.error.code).toBe('invalid_request');
    expect((paced.pacer as ReturnType<typeof recordingPacer>).endpoints).toEqual([]);
  });
});
