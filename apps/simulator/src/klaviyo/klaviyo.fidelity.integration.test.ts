// Response shapes of the simulated Klaviyo over real HTTP, against providers.md §4: JSON:API documents,
// cursor links, status codes and the error envelope.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KLAVIYO_ACCOUNT } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { SEED_LISTS, SEED_SEGMENTS } from './klaviyo.seed.ts';
import {
  type ApiCollection,
  type ApiErrors,
  collection,
  control,
  FULL_KEY,
  firstError,
  keyHeaders,
  READONLY_KEY,
  single,
  startKlaviyo,
  writeHeaders,
} from './klaviyo.test-support.ts';

let sim: RunningSimulator;
let api: string;
// Generous limits: this file checks shapes, the behaviour tests check throttling.
beforeAll(async () => {
  sim = await startKlaviyo({ klaviyo: { rateLimitDivisor: 0.01 } });
  api = `${sim.url}/klaviyo/a/api`;
});
afterAll(() => sim.close());

const get = (path: string, headers: Record<string, string> = keyHeaders()) => fetch(`${api}${path}`, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = writeHeaders(keyHeaders())) =>
  fetch(`${api}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

function expectError(body: unknown, status: number, code: string) {
  const { errors } = body as { errors: Record<string, unknown>[] };
  expect(errors).toHaveLength(1);
  expect(errors[0]).toEqual({
    id: expect.any(String),
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    source: expect.objectContaining({}),
    links: {},
    meta: {},
  });
  const source = errors[0]?.source as Record<string, unknown>;
  expect(typeof (source.pointer ?? source.parameter)).toBe('string');
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('GET /api/accounts', () => {
  it('returns the account with public_api_key, contact information, timezone and currency', async () => {
    const response = await get('/accounts');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/vnd.api+json');
    const body = (await response.json()) as ApiCollection;
    expect(body.data).toHaveLength(1);
    const account = body.data[0];
    expect(account?.type).toBe('account');
    expect(account?.id).toBe(KLAVIYO_ACCOUNT.id);
    expect(account?.attributes).toMatchObject({
      public_api_key: KLAVIYO_ACCOUNT.publicApiKey,
      timezone: KLAVIYO_ACCOUNT.timezone,
      preferred_currency: KLAVIYO_ACCOUNT.preferredCurrency,
      contact_information: { organization_name: KLAVIYO_ACCOUNT.organizationName },
      test_account: false,
    });
    expect(body.links).toEqual({ self: `${api}/accounts/`, next: null, prev: null });
  });
});

describe('lists', () => {
  it('pages at most 10 lists with an absolute links.next carrying page[cursor]', async () => {
    const first = await collection(await get('/lists'));
    expect(first.data).toHaveLength(10);
    const list = first.data[0];
    expect(list).toMatchObject({ type: 'list', id: expect.stringMatching(/^[A-Za-z0-9]{6}$/) });
    expect(list?.attributes).toEqual({
      name: 'Newsletter',
      created: expect.stringMatching(TIMESTAMP),
      updated: expect.stringMatching(TIMESTAMP),
      opt_in_process: 'single_opt_in',
    });
    expect(list?.links?.self).toBe(`${api}/lists/${list?.id}/`);
    expect(first.links.next).toMatch(new RegExp(`^${api}/lists/\\?page%5Bcursor%5D=`));
    const second = await collection(await get((first.links.next ?? '').slice(api.length)));
    expect(second.data).toHaveLength(SEED_LISTS.length - 10);
    expect(second.links.next).toBeNull();
    const ids = [...first.data, ...second.data].map((item: { id: string }) => item.id);
    expect(new Set(ids).size).toBe(SEED_LISTS.length);
  });

  it('rejects page[size] above 10 with a parameter error', async () => {
    const response = await get('/lists?page%5Bsize%5D=11');
    expect(response.status).toBe(400);
    const body = await response.json();
    expectError(body, 400, 'invalid');
    expect((body as ApiErrors).errors[0]?.source).toEqual({ parameter: 'page[size]' });
  });

  it('filters lists by name', async () => {
    const body = await collection(await get(`/lists?filter=${encodeURIComponent('equals(name,"Wholesale")')}`));
    expect(body.data.map((list) => list.attributes.name)).toEqual(['Wholesale']);
  });

  it('creates a list: 201 with the list resource', async () => {
    const response = await post('/lists', { data: { type: 'list', attributes: { name: 'Fidelity List' } } });
    expect(response.status).toBe(201);
    const body = await single(response);
    expect(body.data).toMatchObject({ type: 'list', attributes: { name: 'Fidelity List' } });
    const fetched = await get(`/lists/${body.data.id}`);
    expect((await single(fetched)).data.attributes.name).toBe('Fidelity List');
  });

  it('rejects a list without a name with a pointer to the attribute', async () => {
    const response = await post('/lists', { data: { type: 'list', attributes: {} } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ApiErrors;
    expectError(body, 400, 'invalid');
    expect(body.errors[0]?.source).toEqual({ pointer: '/data/attributes/name' });
  });

  it('lists profiles (20 by default, at most 100) and profile ids only', async () => {
    const newsletter = SEED_LISTS[0];
    const full = await collection(await get(`/lists/${newsletter?.id}/profiles`));
    expect(full.data).toHaveLength(20);
    expect(full.data[0]).toMatchObject({
      type: 'profile',
      id: expect.stringMatching(/^01H[0-9A-HJKMNP-TV-Z]{23}$/),
      attributes: {
        email: 'person1@example.com',
        joined_group_at: expect.stringMatching(TIMESTAMP),
        created: expect.stringMatching(TIMESTAMP),
      },
    });
    const ids = await collection(await get(`/lists/${newsletter?.id}/relationships/profiles?page%5Bsize%5D=100`));
    expect(ids.data).toHaveLength(100);
    expect(ids.data[0]).toEqual({ type: 'profile', id: full.data[0]?.id });
    expect((await get(`/lists/${newsletter?.id}/profiles?page%5Bsize%5D=101`)).status).toBe(400);
  });

  it('answers an unknown list with 404 not_found', async () => {
    const response = await get('/lists/NoSuch/profiles');
    expect(response.status).toBe(404);
    expectError(await response.json(), 404, 'not_found');
  });
});

describe('segments', () => {
  it('lists both seeded segments', async () => {
    const body = await collection(await get('/segments'));
    expect(body.data.map((segment) => segment.id)).toEqual(SEED_SEGMENTS.map((segment) => segment.id));
    expect(body.data[0]?.attributes).toMatchObject({ name: 'Engaged 90 Days', is_active: true, is_processing: false });
    expect(body.links.next).toBeNull();
  });

  it('returns segment profiles sorted by joined_group_at, descending on request, filtered by joined_group_at', async () => {
    const vip = SEED_SEGMENTS[1];
    const ascending = await collection(await get(`/segments/${vip?.id}/profiles?page%5Bsize%5D=100`));
    expect(ascending.data).toHaveLength(25);
    const joined = ascending.data.map((profile) => profile.attributes.joined_group_at);
    expect([...joined].sort()).toEqual(joined);
    const descending = await collection(await get(`/segments/${vip?.id}/profiles?sort=-joined_group_at`));
    expect(descending.data[0]?.id).toBe(ascending.data[24]?.id);
    const cutoff = String(ascending.data[19]?.attributes.joined_group_at);
    const filter = encodeURIComponent(`greater-than(joined_group_at,${cutoff})`);
    const later = await collection(await get(`/segments/${vip?.id}/profiles?filter=${filter}`));
    expect(later.data.map((profile) => profile.id)).toEqual(ascending.data.slice(20).map((p) => p.id));
    const ids = await collection(await get(`/segments/${vip?.id}/relationships/profiles`));
    expect(Object.keys(ids.data[0] ?? {})).toEqual(['type', 'id']);
  });

  it('rejects an unsupported sort and a malformed filter', async () => {
    const vip = SEED_SEGMENTS[1];
    const sort = await get(`/segments/${vip?.id}/profiles?sort=email`);
    expect(sort.status).toBe(400);
    expectError(await sort.json(), 400, 'invalid');
    const filter = await get(`/segments/${vip?.id}/profiles?filter=${encodeURIComponent('equals(email,bare)')}`);
    expect(filter.status).toBe(400);
    expect((await firstError(filter))?.source).toEqual({ parameter: 'filter' });
  });
});

describe('catalog items', () => {
  it('returns the ~50 seeded items with $custom:::$default::: ids', async () => {
    const body = await collection(await get('/catalog-items'));
    expect(body.data).toHaveLength(50);
    expect(body.data[0]).toMatchObject({
      type: 'catalog-item',
      id: '$custom:::$default:::SKU-0001',
      attributes: { external_id: 'SKU-0001', published: true, price: expect.any(Number), url: expect.any(String) },
    });
    expect(body.links.next).toBeNull();
  });

  it('creates an item (201) and refuses the same external id again (409)', async () => {
    const item = {
      data: {
        type: 'catalog-item',
        attributes: {
          external_id: 'FID-1',
          title: 'Fidelity Tee',
          description: 'A tee.',
          url: 'https://shop.acme.example/fid-1',
          price: 12.5,
        },
      },
    };
    const created = await post('/catalog-items', item);
    expect(created.status).toBe(201);
    expect((await single(created)).data).toMatchObject({
      type: 'catalog-item',
      id: '$custom:::$default:::FID-1',
      attributes: { title: 'Fidelity Tee', price: 12.5, published: true },
    });
    const duplicate = await post('/catalog-items', item);
    expect(duplicate.status).toBe(409);
    expectError(await duplicate.json(), 409, 'conflict');
  });
});

describe('bulk subscribe jobs', () => {
  it('accepts with 202 and an empty body, then adds only SUBSCRIBED profiles to the list a few seconds later', async () => {
    const list = SEED_LISTS[2];
    const subscriber = (email: string, consent: string) => ({
      type: 'profile',
      attributes: { email, subscriptions: { email: { marketing: { consent } } } },
    });
    const memberEmails = async () =>
      (await collection(await get(`/lists/${list?.id}/profiles`))).data
        .map((profile) => profile.attributes.email)
        .sort();
    const before = await memberEmails();
    const response = await post('/profile-subscription-bulk-create-jobs', {
      data: {
        type: 'profile-subscription-bulk-create-job',
        attributes: {
          custom_source: 'Checkout',
          profiles: {
            data: [
              subscriber('new.subscriber@example.com', 'SUBSCRIBED'),
              subscriber('person5000@example.com', 'SUBSCRIBED'),
              subscriber('declined@example.com', 'UNSUBSCRIBED'),
            ],
          },
        },
        relationships: { list: { data: { type: 'list', id: list?.id } } },
      },
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(await memberEmails()).toEqual(before);
    await control(sim, 'clock/advance', { ms: 6_000 });
    expect(await memberEmails()).toEqual([...before, 'new.subscriber@example.com', 'person5000@example.com'].sort());
  });

  it('an unsubscribe job takes the profiles out of the list a few seconds later, and ignores unknown ones', async () => {
    const list = SEED_LISTS[2];
    const memberEmails = async () =>
      (await collection(await get(`/lists/${list?.id}/profiles?page%5Bsize%5D=100`))).data.map(
        (profile) => profile.attributes.email,
      );
    const [leaving] = await memberEmails();
    if (typeof leaving !== 'string') throw new Error('the seed list has no member with an email');
    const response = await post('/profile-subscription-bulk-delete-jobs', {
      data: {
        type: 'profile-subscription-bulk-delete-job',
        attributes: {
          profiles: {
            data: [leaving, 'nobody@example.com'].map((email) => ({
              type: 'profile',
              attributes: { email, subscriptions: { email: { marketing: { consent: 'UNSUBSCRIBED' } } } },
            })),
          },
        },
        relationships: { list: { data: { type: 'list', id: list?.id } } },
      },
    });
    expect(response.status).toBe(202);
    expect(await memberEmails()).toContain(leaving);
    await control(sim, 'clock/advance', { ms: 6_000 });
    expect(await memberEmails()).not.toContain(leaving);
  });

  it('has no endpoint to read a subscription job back, as the real API', async () => {
    expect((await get('/profile-subscription-bulk-create-jobs/anything')).status).toBe(404);
  });

  it('rejects more than 1,000 profiles with a pointer', async () => {
    const profiles = Array.from({ length: 1001 }, (_, n) => ({
      type: 'profile',
      attributes: { email: `b${n}@x.com` },
    }));
    const response = await post('/profile-subscription-bulk-create-jobs', {
      data: {
        type: 'profile-subscription-bulk-create-job',
        attributes: { profiles: { data: profiles } },
        relationships: { list: { data: { type: 'list', id: SEED_LISTS[0]?.id } } },
      },
    });
    expect(response.status).toBe(400);
    expect((await firstError(response))?.source.pointer).toBe('/data/attributes/profiles/data');
  });
});

describe('errors', () => {
  it('401 not_authenticated without a key and with an unknown key', async () => {
    const { authorization: _, ...noAuth } = keyHeaders();
    for (const headers of [noAuth, keyHeaders('pk_unknown')]) {
      const response = await get('/lists', headers);
      expect(response.status).toBe(401);
      expectError(await response.json(), 401, 'not_authenticated');
    }
  });

  it('400 without a revision header', async () => {
    const { revision: _, ...headers } = keyHeaders();
    const response = await get('/lists', headers);
    expect(response.status).toBe(400);
    const body = await response.json();
    expectError(body, 400, 'invalid');
    expect((body as ApiErrors).errors[0]?.source).toEqual({ parameter: 'revision' });
  });

  it('403 permission_denied when the key lacks a scope', async () => {
    expect((await get('/lists', keyHeaders(READONLY_KEY))).status).toBe(200);
    const response = await get('/segments', keyHeaders(READONLY_KEY));
    expect(response.status).toBe(403);
    expectError(await response.json(), 403, 'permission_denied');
  });

  it('415 when a write is not application/vnd.api+json; 406 for an unacceptable Accept', async () => {
    const body = { data: { type: 'list', attributes: { name: 'x' } } };
    const response = await post('/lists', body, { ...keyHeaders(), 'content-type': 'application/json' });
    expect(response.status).toBe(415);
    expectError(await response.json(), 415, 'unsupported_media_type');
    const accept = await get('/lists', { ...keyHeaders(FULL_KEY), accept: 'text/html' });
    expect(accept.status).toBe(406);
  });
});
