// The official Node SDK (klaviyo-api 23) pointed at the simulator through each API instance's `basePath`:
// its parsed objects must carry the simulator's data, and its cursor handling must follow our links.next.

import { AccountsApi, ApiKeySession, ListsApi, SegmentsApi } from 'klaviyo-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KLAVIYO_ACCOUNT } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { SEED_LISTS, SEED_SEGMENTS } from './klaviyo.seed.ts';
import { FULL_KEY, startKlaviyo } from './klaviyo.test-support.ts';

let sim: RunningSimulator;
let session: ApiKeySession;
let basePath: string;
beforeAll(async () => {
  sim = await startKlaviyo({ klaviyo: { rateLimitDivisor: 0.01 } });
  session = new ApiKeySession(FULL_KEY);
  basePath = `${sim.url}/klaviyo/a`;
});
afterAll(() => sim.close());

describe('klaviyo-api SDK against the simulator', () => {
  it('AccountsApi.getAccounts parses the account', async () => {
    const accounts = new AccountsApi(session);
    accounts.basePath = basePath;
    const { response, body } = await accounts.getAccounts();
    expect(response.status).toBe(200);
    const account = body.data[0];
    expect(account?.id).toBe(KLAVIYO_ACCOUNT.id);
    expect(account?.attributes.publicApiKey).toBe(KLAVIYO_ACCOUNT.publicApiKey);
    expect(account?.attributes.contactInformation.organizationName).toBe(KLAVIYO_ACCOUNT.organizationName);
    expect(account?.attributes.preferredCurrency).toBe(KLAVIYO_ACCOUNT.preferredCurrency);
    expect(account?.attributes.timezone).toBe(KLAVIYO_ACCOUNT.timezone);
  });

  it('ListsApi.getLists pages through every list with the cursor from links.next', async () => {
    const lists = new ListsApi(session);
    lists.basePath = basePath;
    const first = await lists.getLists();
    expect(first.body.data).toHaveLength(10);
    expect(first.body.data[0]?.attributes.name).toBe('Newsletter');
    expect(first.body.data[0]?.attributes.created).toBeInstanceOf(Date);
    const next = first.body.links?.next;
    expect(next).toEqual(expect.stringContaining('page%5Bcursor%5D='));
    // The SDK extracts the cursor from a whole next URL only when it starts with https://; the simulator
    // listens on http, so the test takes page[cursor] out of links.next as the SDK would.
    const cursor = new URL(next ?? '').searchParams.get('page[cursor]') ?? '';
    const second = await lists.getLists({ pageCursor: cursor });
    const names = [...first.body.data, ...second.body.data].map((list) => list.attributes.name);
    expect(names).toEqual(SEED_LISTS.map((list) => list.name));
    expect(second.body.links?.next ?? null).toBeNull();
  });

  it('SegmentsApi.getSegmentProfiles parses members with joined_group_at', async () => {
    const segments = new SegmentsApi(session);
    segments.basePath = basePath;
    const vip = SEED_SEGMENTS[1];
    const { body } = await segments.getSegmentProfiles(vip?.id ?? '', { pageSize: 100, sort: '-joined_group_at' });
    expect(body.data).toHaveLength(25);
    const member = body.data[0];
    expect(member?.id).toMatch(/^01H/);
    expect(member?.attributes.email).toMatch(/^person\d+@example\.com$/);
    expect(member?.attributes.joinedGroupAt).toBeInstanceOf(Date);
    const times = body.data.map((profile) => profile.attributes.joinedGroupAt?.getTime() ?? 0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
