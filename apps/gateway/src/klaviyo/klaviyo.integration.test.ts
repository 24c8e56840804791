// The Klaviyo API end to end: the real gateway and the real worker-klaviyo process against the simulator.
// Connecting a private key syncs lists, segments (10,000 members) and the catalog; a sync on demand records
// the joins made at Klaviyo; product mappings are set, checked and removed; another tenant sees and touches
// nothing of it; a deleted key stops the syncs and says so.

import { createTenantWithKey, findConnectionByProvider } from '@adsync/db';
import { KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import { startWorkerProcess, type WorkerProcess } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const [{ key: FULL_KEY }] = KLAVIYO_PRIVATE_KEYS;
const SKU_1 = '$custom:::$default:::SKU-0001';
let worker: WorkerProcess | undefined;
let brand: { tenantId: string; apiKey: string };
let other: { tenantId: string; apiKey: string };

const call = (who: { apiKey: string }, method: string, path: string, body?: unknown) =>
  api(testbed.gateway.url, who.apiKey, method, path, body);

type Sync = { scope: string; status: string; counts: Record<string, number>; error?: { code: string } };

async function syncs(): Promise<Sync[]> {
  return (await call(brand, 'GET', '/v1/klaviyo/syncs?limit=100')).body.syncs as Sync[];
}

/** Waits until `count` syncs of `scope` have finished. */
async function finished(scope: string, count: number): Promise<Sync[]> {
  await expect
    .poll(async () => (await syncs()).filter((sync) => sync.scope === scope && sync.status !== 'running').length, {
      timeout: 45_000,
      interval: 250,
    })
    .toBeGreaterThanOrEqual(count);
  return (await syncs()).filter((sync) => sync.scope === scope);
}

type Segment = { id: string; klaviyoId: string; name: string; memberCount: number | null };

async function engaged(): Promise<Segment> {
  const segments = (await call(brand, 'GET', '/v1/klaviyo/segments')).body.segments as Segment[];
  const segment = segments.find((candidate) => candidate.name === 'Engaged 90 Days');
  if (segment === undefined) throw new Error('no segment');
  return segment;
}

beforeAll(async () => {
  brand = await createTenantWithKey(env.db, { name: 'Klaviyo brand', keyName: 'test' }).then((created) => ({
    tenantId: created.tenant.id,
    apiKey: created.apiKey,
  }));
  other = await createTenantWithKey(env.db, { name: 'Other brand', keyName: 'test' }).then((created) => ({
    tenantId: created.tenant.id,
    apiKey: created.apiKey,
  }));
  worker = await startWorkerProcess('worker-klaviyo', {
    ...env.env,
    SIMULATOR_URL: testbed.sim.url,
    PUBLIC_BASE_URL: 'http://adsync.localhost',
  });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
});

describe('Klaviyo through the gateway and worker-klaviyo', () => {
  it('connecting a key syncs the lists, the segments with every member, and the catalog', async () => {
    const connected = await call(brand, 'POST', '/v1/connections/klaviyo/api-key', {
      privateKey: FULL_KEY,
      publicKey: 'AcMe01',
    });
    expect(connected.status).toBe(201);
    for (const scope of ['lists', 'segments', 'catalog']) {
      const [sync] = await finished(scope, 1);
      expect(sync?.status, scope).toBe('succeeded');
    }
    const segment = await engaged();
    expect(segment.memberCount).toBe(10_000);

    const members: string[] = [];
    let next: string | null = null;
    do {
      const page = await call(
        brand,
        'GET',
        `/v1/klaviyo/segments/${segment.id}/members?limit=1000${next === null ? '' : `&after=${next}`}`,
      );
      members.push(...(page.body.profileIds as string[]));
      next = page.body.next as string | null;
    } while (next !== null);
    expect(new Set(members).size).toBe(10_000);

    const lists = (await call(brand, 'GET', '/v1/klaviyo/lists')).body.lists as unknown[];
    expect(lists.length).toBeGreaterThan(0);
    const catalog = await call(brand, 'GET', '/v1/klaviyo/catalog-items?limit=10');
    expect(catalog.body.catalogItems).toHaveLength(10);
    expect(catalog.body.next).toBe((catalog.body.catalogItems as { id: string }[])[9]?.id);
  });

  it('a sync on demand records exactly the joins made at Klaviyo since the last sync', async () => {
    const segment = await engaged();
    const response = await fetch(`${testbed.sim.url}/_control/klaviyo/segment-add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ segmentId: segment.klaviyoId, count: 2 }),
    });
    const { result } = (await response.json()) as { result: { added: string[] } };
    const before = (await finished('segments', 1)).length;

    const asked = await call(brand, 'POST', '/v1/klaviyo/sync', { scope: 'segments' });
    expect(asked).toEqual({ status: 202, body: { enqueued: ['segments'] } });
    await finished('segments', before + 1);

    const changes = await call(brand, 'GET', `/v1/klaviyo/segments/${segment.id}/changes`);
    expect(
      (changes.body.changes as { profileId: string; change: string }[]).map(
        (change) => `${change.change}:${change.profileId}`,
      ),
    ).toEqual(expect.arrayContaining(result.added.map((id) => `joined:${id}`)));
    expect(changes.body.changes).toHaveLength(2);
    expect((await engaged()).memberCount).toBe(10_002);
  });

  it('product mappings are set, checked for unmapped products, listed and removed', async () => {
    const set = await call(brand, 'PUT', '/v1/klaviyo/product-mappings/shop-tee-black', { catalogItemId: SKU_1 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ productRef: 'shop-tee-black', catalogItemId: SKU_1, status: 'mapped' });

    const unknown = await call(brand, 'PUT', '/v1/klaviyo/product-mappings/shop-nothing', {
      catalogItemId: '$custom:::$default:::NOPE',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('catalog_item_not_found');

    const mappings = await call(brand, 'GET', '/v1/klaviyo/product-mappings');
    expect(mappings.body.productMappings).toEqual([expect.objectContaining({ productRef: 'shop-tee-black' })]);

    const check = await call(brand, 'POST', '/v1/klaviyo/product-mappings/unmapped', {
      products: ['shop-tee-black', 'SKU-0002', 'shop-unknown'],
    });
    expect(check.body.unmapped).toEqual([
      { productRef: 'SKU-0002', suggestedCatalogItemId: '$custom:::$default:::SKU-0002' },
      { productRef: 'shop-unknown', suggestedCatalogItemId: null },
    ]);
    const unmappedItems = await call(brand, 'GET', '/v1/klaviyo/catalog-items?unmapped=true&limit=1000');
    expect(unmappedItems.body.catalogItems).toHaveLength(49);

    expect((await call(brand, 'DELETE', '/v1/klaviyo/product-mappings/shop-tee-black')).status).toBe(204);
    const again = await call(brand, 'DELETE', '/v1/klaviyo/product-mappings/shop-tee-black');
    expect(again.status).toBe(404);
    expect(again.body.error?.code).toBe('mapping_not_found');
  });

  it('bad input is refused with what to fix', async () => {
    const scope = await call(brand, 'POST', '/v1/klaviyo/sync', { scope: 'everything' });
    expect(scope.status).toBe(400);
    expect(scope.body.error?.code).toBe('invalid_request');
    const cursor = await call(brand, 'GET', `/v1/klaviyo/segments/${(await engaged()).id}/changes?after=abc`);
    expect(cursor.status).toBe(400);
    expect(cursor.body.error?.message).toMatch(/query after/);
    const products = await call(brand, 'POST', '/v1/klaviyo/product-mappings/unmapped', { products: [] });
    expect(products.status).toBe(400);
    const segment = await call(brand, 'GET', '/v1/klaviyo/segments/not-a-uuid/changes');
    expect(segment.status).toBe(400);
    expect(segment.body.error?.message).toMatch(/path id/);
  });

  it('another tenant sees none of it and cannot touch it', async () => {
    const segment = await engaged();
    expect((await call(other, 'GET', '/v1/klaviyo/segments')).body.segments).toEqual([]);
    expect((await call(other, 'GET', '/v1/klaviyo/catalog-items')).body.catalogItems).toEqual([]);
    for (const path of [`/v1/klaviyo/segments/${segment.id}/changes`, `/v1/klaviyo/segments/${segment.id}/members`]) {
      const answer = await call(other, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.error?.code).toBe('segment_not_found');
    }
    const mapping = await call(other, 'PUT', '/v1/klaviyo/product-mappings/x', { catalogItemId: SKU_1 });
    expect(mapping.status).toBe(409);
    expect(mapping.body.error?.code).toBe('klaviyo_not_connected');
    expect((await call(other, 'POST', '/v1/klaviyo/sync', {})).status).toBe(409);
    expect((await call(other, 'GET', '/v1/klaviyo/syncs')).body.syncs).toEqual([]);
  });

  it('list jobs: a list is created, profiles with consent join it and one leaves again', async () => {
    type ListJob = {
      id: string;
      status: string;
      listId: string | null;
      confirmed: number | null;
      missing: number | null;
    };
    const job = async (id: string) => (await call(brand, 'GET', `/v1/klaviyo/list-jobs/${id}`)).body as ListJob;
    const until = async (id: string, status: string) => {
      await expect.poll(async () => (await job(id)).status, { timeout: 45_000, interval: 250 }).toBe(status);
      return job(id);
    };
    // Klaviyo applies a subscription job some seconds after taking it: the simulator's clock jumps ahead.
    const applyAtKlaviyo = () =>
      fetch(`${testbed.sim.url}/_control/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: 6_000 }),
      });

    const created = await call(brand, 'POST', '/v1/klaviyo/lists', { name: 'Launch list' });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ kind: 'create_list', status: 'queued', listName: 'Launch list' });
    const { listId } = await until(String(created.body.id), 'completed');
    const lists = (await call(brand, 'GET', '/v1/klaviyo/lists')).body.lists as { id: string; name: string }[];
    expect(lists).toContainEqual(expect.objectContaining({ id: listId, name: 'Launch list' }));

    const subscribed = await call(brand, 'POST', `/v1/klaviyo/lists/${listId}/subscriptions`, {
      customSource: 'adsync test',
      profiles: [
        { email: 'Ada.Lovelace@Example.com', channels: ['email'] },
        { phone: '+15005550006', channels: ['sms'] },
      ],
    });
    expect(subscribed.status).toBe(202);
    expect(JSON.stringify(subscribed.body)).not.toMatch(/lovelace|5550006/i);
    await until(String(subscribed.body.id), 'submitted');
    await applyAtKlaviyo();
    expect(await until(String(subscribed.body.id), 'completed')).toMatchObject({ confirmed: 2, missing: 0 });

    const unsubscribed = await call(brand, 'POST', `/v1/klaviyo/lists/${listId}/unsubscriptions`, {
      profiles: [{ email: 'ada.lovelace@example.com', channels: ['email'] }],
    });
    await until(String(unsubscribed.body.id), 'submitted');
    await applyAtKlaviyo();
    expect(await until(String(unsubscribed.body.id), 'completed')).toMatchObject({ confirmed: 1, missing: 0 });

    const listed = (await call(brand, 'GET', '/v1/klaviyo/list-jobs')).body.listJobs as ListJob[];
    expect(listed.map((entry) => entry.id)).toEqual(
      expect.arrayContaining([created.body.id, subscribed.body.id, unsubscribed.body.id]),
    );

    // What to fix, and nothing stored or queued.
    const noPhone = await call(brand, 'POST', `/v1/klaviyo/lists/${listId}/subscriptions`, {
      profiles: [{ email: 'a@example.com', channels: ['sms'] }],
    });
    expect(noPhone.status).toBe(400);
    expect(noPhone.body.error?.message).toMatch(/profiles\.0\.phone: the sms channel needs a phone/);
    const tooMany = await call(brand, 'POST', `/v1/klaviyo/lists/${listId}/subscriptions`, {
      profiles: Array.from({ length: 1_001 }, (_, n) => ({ email: `p${n}@example.com`, channels: ['email'] })),
    });
    expect(tooMany.status).toBe(400);
    const unknown = await call(brand, 'POST', `/v1/klaviyo/lists/${crypto.randomUUID()}/subscriptions`, {
      profiles: [{ email: 'a@example.com', channels: ['email'] }],
    });
    expect(unknown.body.error?.code).toBe('list_not_found');
    expect(((await call(brand, 'GET', '/v1/klaviyo/list-jobs')).body.listJobs as unknown[]).length).toBe(listed.length);
    const otherTenant = await call(other, 'POST', `/v1/klaviyo/lists/${listId}/subscriptions`, {
      profiles: [{ email: 'a@example.com', channels: ['email'] }],
    });
    expect(otherTenant.status).toBe(409);
    expect((await call(other, 'GET', `/v1/klaviyo/list-jobs/${String(created.body.id)}`)).status).toBe(404);
  });

  it('a deleted key stops the syncs, flips the connection and refuses syncs on demand', async () => {
    await fetch(`${testbed.sim.url}/_control/klaviyo/revoke-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: FULL_KEY }),
    });
    const before = (await finished('lists', 1)).length;
    expect((await call(brand, 'POST', '/v1/klaviyo/sync', { scope: 'lists' })).status).toBe(202);
    const [latest] = await finished('lists', before + 1);
    expect(latest).toMatchObject({ status: 'failed', error: { code: 'needs_reauth' } });
    const connection = await findConnectionByProvider(env.db, { tenantId: brand.tenantId, provider: 'klaviyo' });
    expect(connection?.status).toBe('needs_reauth');
    const refused = await call(brand, 'POST', '/v1/klaviyo/sync', {});
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('klaviyo_not_live');
    expect(JSON.stringify(await syncs())).not.toContain(FULL_KEY);
  });
});
