// Klaviyo syncs of a private-key connection against the simulator: lists and segments recorded; a
// 10,000-member segment read fully across pages; a re-sync records exactly the joins and leaves made at the
// simulator; a 429 storm slows the sync without failing it; a deleted key stops it and flips the connection.

import { randomUUID } from 'node:crypto';
import { DEFAULT_RATE_LIMITS } from '@adsync/config';
import {
  type PlatformClients,
  refreshDepsForTest,
  sealedApiKeyColumns,
  simulatorPlatforms,
  TEST_KEYRING,
} from '@adsync/connections';
import {
  type Connection,
  createTenant,
  findConnection,
  findKlaviyoGroup,
  findListJob,
  insertConnection,
  insertListJob,
  listCatalogItems,
  listKlaviyoGroups,
  listKlaviyoSyncs,
  listSegmentChanges,
  listSegmentMembers,
  updateConnection,
  updateListJob,
  upsertAdAccounts,
} from '@adsync/db';
import { createLogger } from '@adsync/logging';
import { createKlaviyoList, listKlaviyoListsCreatedAfter, simulatorProviderSettings } from '@adsync/providers';
import { createQueueProducer, type QueueProducer } from '@adsync/queues';
import { KLAVIYO_PRIVATE_KEYS, type RunningSimulator, startSimulator } from '@adsync/simulator';
import { useTestEnvironment } from '@adsync/testing';
import { createPlatformLimiter, createRateLimiter, RetryLaterError } from '@adsync/worker-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { klaviyoReaderFor } from './klaviyo-reader.ts';
import { LIST_JOB_DEADLINE_MS, runListJob, sealListProfiles } from './list-jobs.ts';
import { type KlaviyoSyncDeps, syncKlaviyo } from './sync-klaviyo.ts';

const env = useTestEnvironment();
const [{ key: FULL_KEY }] = KLAVIYO_PRIVATE_KEYS;
const ENGAGED = 'Engaged 90 Days';
const MEMBERS_ROUTE = 'GET /a/api/segments/*/relationships/profiles*';
let producer: QueueProducer;
let sim: RunningSimulator;
let platforms: PlatformClients;

beforeAll(async () => {
  producer = createQueueProducer({ connection: env.redis, prefix: env.queuePrefix });
  sim = await startSimulator({ port: 0 });
  platforms = simulatorPlatforms(sim.url);
});
beforeEach(async () => {
  await fetch(`${sim.url}/_control/reset`, { method: 'POST' });
});
afterAll(async () => {
  await producer?.close();
  await sim?.close();
});

/** A worker's deps with its own limiter budgets; `waits` records every Retry-After the reader waited out. */
function syncDeps(): KlaviyoSyncDeps & { waits: number[] } {
  const waits: number[] = [];
  const limiter = createPlatformLimiter(
    createRateLimiter(env.redis, `${env.queuePrefix}:${randomUUID()}`),
    DEFAULT_RATE_LIMITS,
  );
  return {
    db: env.db,
    refresh: {
      ...refreshDepsForTest({ db: env.db, redis: env.redis, lockPrefix: env.queuePrefix, producer, platforms }),
      limiter,
    },
    settings: simulatorProviderSettings(sim.url, 'http://adsync.test').klaviyo,
    logger: createLogger({ name: 'klaviyo-test', level: 'silent', format: 'json' }),
    sleep: async (ms) => {
      waits.push(ms);
    },
    waits,
  };
}

/** A tenant's Klaviyo connection made with the simulator's full private key, as the gateway stores one. */
async function keyConnection(): Promise<Connection> {
  const tenant = await createTenant(env.db, { name: `klaviyo ${randomUUID().slice(0, 8)}` });
  const id = randomUUID();
  const key = { tenantId: tenant.id, connectionId: id };
  await insertConnection(env.db, {
    id,
    tenant_id: tenant.id,
    provider: 'klaviyo',
    auth_method: 'api_key',
    status: 'active',
  });
  await upsertAdAccounts(
    env.db,
    { ...key, provider: 'klaviyo' },
    [
      {
        externalId: 'AcMe01',
        name: 'Acme Store',
        currency: 'USD',
        timezone: 'America/New_York',
        managerExternalId: null,
      },
    ],
    () => true,
  );
  const connection = await updateConnection(env.db, key, {
    ...sealedApiKeyColumns(TEST_KEYRING, key, FULL_KEY),
    public_key: 'AcMe01',
    next_refresh_at: new Date(Date.now() + 86_400_000),
  });
  if (connection === undefined) throw new Error('connection not stored');
  return connection;
}

async function control(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { result: Record<string, unknown> }).result;
}

/** The next `count` member-page requests answer 429 with `Retry-After: retryAfterSeconds`. */
async function throttleMemberPages(count: number, retryAfterSeconds: number): Promise<void> {
  await fetch(`${sim.url}/_control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: 'klaviyo',
      route: MEMBERS_ROUTE,
      count,
      status: 429,
      body: { errors: [{ status: 429, code: 'throttled', title: 'Request was throttled.' }] },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  });
}

async function engaged(connection: Connection) {
  const segments = await listKlaviyoGroups(env.db, { tenantId: connection.tenant_id, kind: 'segment' });
  const segment = segments.find((candidate) => candidate.name === ENGAGED);
  if (segment === undefined) throw new Error('segment not synced');
  return segment;
}

async function allMembers(groupId: string): Promise<string[]> {
  const members: string[] = [];
  for (;;) {
    const after = members.at(-1);
    const page = await listSegmentMembers(env.db, {
      groupId,
      limit: 5_000,
      ...(after === undefined ? {} : { afterProfileId: after }),
    });
    members.push(...page);
    if (page.length < 5_000) return members;
  }
}

describe('Klaviyo sync', () => {
  it('records the lists of the account', async () => {
    const connection = await keyConnection();
    const outcome = await syncKlaviyo(syncDeps(), {
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      scope: 'lists',
    });
    expect(outcome.kind).toBe('synced');
    const lists = await listKlaviyoGroups(env.db, { tenantId: connection.tenant_id, kind: 'list' });
    expect(lists.length).toBeGreaterThan(0);
    expect(outcome).toEqual({ kind: 'synced', counts: { lists: lists.length } });
  });

  it('records the catalog items; a re-sync finds the same ones', async () => {
    const connection = await keyConnection();
    const request = { tenantId: connection.tenant_id, connectionId: connection.id, scope: 'catalog' as const };
    expect(await syncKlaviyo(syncDeps(), request)).toEqual({ kind: 'synced', counts: { catalogItems: 50 } });
    const items = await listCatalogItems(env.db, { tenantId: connection.tenant_id, limit: 100 });
    expect(items).toHaveLength(50);
    expect(items[0]).toMatchObject({
      item_id: '$custom:::$default:::SKU-0001',
      external_id: 'SKU-0001',
      price: '13.4900',
    });
    expect(await syncKlaviyo(syncDeps(), request)).toEqual({ kind: 'synced', counts: { catalogItems: 50 } });
  });

  it('reads a 10,000-member segment fully across pages; the first member sync is the baseline', async () => {
    const connection = await keyConnection();
    const outcome = await syncKlaviyo(syncDeps(), {
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      scope: 'segments',
    });
    expect(outcome).toEqual({
      kind: 'synced',
      counts: { segments: 2, members: 10_025, joined: 10_025, left: 0 },
    });
    const segment = await engaged(connection);
    expect(segment.member_count).toBe(10_000);
    const members = await allMembers(segment.id);
    expect(members).toHaveLength(10_000);
    expect(new Set(members).size).toBe(10_000);
    expect(
      await listSegmentChanges(env.db, { tenantId: connection.tenant_id, groupId: segment.id, limit: 10 }),
    ).toEqual([]);
    const [sync] = await listKlaviyoSyncs(env.db, { tenantId: connection.tenant_id, limit: 1 });
    expect(sync).toMatchObject({ scope: 'segments', status: 'succeeded', error_code: null });
  });

  it('a re-sync records exactly the joins and leaves made at the simulator', async () => {
    const connection = await keyConnection();
    const request = { tenantId: connection.tenant_id, connectionId: connection.id, scope: 'segments' as const };
    await syncKlaviyo(syncDeps(), request);
    const segment = await engaged(connection);
    const added = await control('klaviyo/segment-add', { segmentId: segment.external_id, count: 3 });
    const removed = await control('klaviyo/segment-remove', { segmentId: segment.external_id, count: 2 });

    const outcome = await syncKlaviyo(syncDeps(), request);
    expect(outcome).toEqual({ kind: 'synced', counts: { segments: 2, members: 10_026, joined: 3, left: 2 } });
    const changes = await listSegmentChanges(env.db, {
      tenantId: connection.tenant_id,
      groupId: segment.id,
      limit: 100,
    });
    const byChange = (change: string) =>
      changes
        .filter((entry) => entry.change === change)
        .map((entry) => entry.profile_id)
        .sort();
    expect(byChange('joined')).toEqual([...(added.added as string[])].sort());
    expect(byChange('left')).toEqual([...(removed.removed as string[])].sort());
    expect((await engaged(connection)).member_count).toBe(10_001);

    // Nothing changed at Klaviyo: a third sync records nothing new.
    await syncKlaviyo(syncDeps(), request);
    expect(
      await listSegmentChanges(env.db, { tenantId: connection.tenant_id, groupId: segment.id, limit: 100 }),
    ).toEqual(changes);
  });

  it('a 429 storm slows the sync (Retry-After waited out) without failing it', async () => {
    const connection = await keyConnection();
    await throttleMemberPages(4, 1);
    const deps = syncDeps();
    const outcome = await syncKlaviyo(deps, {
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      scope: 'segments',
    });
    expect(outcome).toEqual({ kind: 'synced', counts: { segments: 2, members: 10_025, joined: 10_025, left: 0 } });
    // Each Retry-After paused the account's endpoint for the whole fleet (the limiter) and this read (the reader).
    // (The simulator's own window may add a one-second throttle of its own.)
    expect(deps.waits.filter((ms) => ms === 1_000).length).toBeGreaterThanOrEqual(4);
    expect((await engaged(connection)).member_count).toBe(10_000);
  });

  it('a storm that outlasts what a read may wait postpones the job without using an attempt', async () => {
    const connection = await keyConnection();
    await throttleMemberPages(30, 60);
    await expect(
      syncKlaviyo(syncDeps(), { tenantId: connection.tenant_id, connectionId: connection.id, scope: 'segments' }),
    ).rejects.toBeInstanceOf(RetryLaterError);
    const [sync] = await listKlaviyoSyncs(env.db, { tenantId: connection.tenant_id, limit: 1 });
    expect(sync).toMatchObject({ status: 'failed', error_code: 'rate_limited' });
  });

  it('a deleted private key stops the sync and flips the connection to needs_reauth', async () => {
    const connection = await keyConnection();
    await control('klaviyo/revoke-key', { key: FULL_KEY });
    const request = { tenantId: connection.tenant_id, connectionId: connection.id, scope: 'segments' as const };
    expect(await syncKlaviyo(syncDeps(), request)).toEqual({ kind: 'needs_reauth' });
    const after = await findConnection(env.db, { tenantId: connection.tenant_id, connectionId: connection.id });
    expect(after?.status).toBe('needs_reauth');
    const [sync] = await listKlaviyoSyncs(env.db, { tenantId: connection.tenant_id, limit: 1 });
    expect(sync).toMatchObject({ status: 'failed', error_code: 'needs_reauth' });
    expect(sync?.error_message).not.toContain(FULL_KEY);
    expect(await syncKlaviyo(syncDeps(), request)).toEqual({ kind: 'skipped', reason: 'not_live' });
  });
});

describe('Klaviyo list jobs', () => {
  /** A subscribe job for two new profiles on the account's first list, stored as the gateway stores one. */
  async function subscribeJob(connection: Connection): Promise<string> {
    await syncKlaviyo(syncDeps(), { tenantId: connection.tenant_id, connectionId: connection.id, scope: 'lists' });
    const [list] = await listKlaviyoGroups(env.db, { tenantId: connection.tenant_id, kind: 'list' });
    if (list === undefined) throw new Error('no list');
    const profiles = [
      { email: 'late.one@example.com', phoneNumber: null, channels: ['email' as const] },
      { email: 'late.two@example.com', phoneNumber: null, channels: ['email' as const] },
    ];
    const sealed = sealListProfiles(TEST_KEYRING, connection.tenant_id, profiles);
    await insertListJob(env.db, {
      id: sealed.listJobId,
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      kind: 'subscribe',
      groupId: list.id,
      profilesCiphertext: sealed.profilesCiphertext,
      profileCount: profiles.length,
    });
    return sealed.listJobId;
  }

  it('a job Klaviyo has not applied by the deadline is settled as incomplete, and its profiles are wiped', async () => {
    const connection = await keyConnection();
    const listJobId = await subscribeJob(connection);
    const request = { tenantId: connection.tenant_id, listJobId };
    // Submitted once; Klaviyo has not applied it yet (the simulator's clock stands still): look again later.
    await expect(runListJob(syncDeps(), request, { isLast: false })).rejects.toBeInstanceOf(RetryLaterError);
    const submitted = await findListJob(env.db, { tenantId: connection.tenant_id, id: listJobId });
    expect(submitted?.status).toBe('submitted');
    await expect(runListJob(syncDeps(), request, { isLast: false })).rejects.toBeInstanceOf(RetryLaterError);

    const late = { ...syncDeps(), now: () => Date.now() + LIST_JOB_DEADLINE_MS + 1_000 };
    expect(await runListJob(late, request, { isLast: false })).toEqual({ kind: 'settled', status: 'incomplete' });
    const settled = await findListJob(env.db, { tenantId: connection.tenant_id, id: listJobId });
    expect(settled).toMatchObject({
      status: 'incomplete',
      confirmed_count: 0,
      missing_count: 2,
      profiles_ciphertext: null,
    });
    expect(await runListJob(syncDeps(), request, { isLast: false })).toEqual({
      kind: 'skipped',
      reason: 'already_settled',
    });
  });

  it('create_list: a retry after a worker died between creating the list and recording it adopts that list', async () => {
    const connection = await keyConnection();
    const tenantId = connection.tenant_id;
    const createListJob = async (name: string) => {
      const id = randomUUID();
      await insertListJob(env.db, { id, tenantId, connectionId: connection.id, kind: 'create_list', listName: name });
      return id;
    };
    // Klaviyo itself, as the worker sees it.
    const reader = await klaviyoReaderFor(syncDeps(), connection);
    const since = new Date(Date.now() - 60_000);
    const klaviyoListsNamed = async (name: string) => {
      const created = await listKlaviyoListsCreatedAfter(reader, since);
      if (!created.ok) throw new Error(created.error.message);
      return created.value.filter((list) => list.name === name).map((list) => list.id);
    };
    // The first run marked the job submitted and Klaviyo made the list; the worker died before recording it.
    const crashed = await createListJob('Spring drop');
    await updateListJob(env.db, crashed, { status: 'submitted', submitted_at: new Date() });
    const made = await createKlaviyoList(reader, 'Spring drop');
    if (!made.ok) throw new Error(made.error.message);
    const madeByCrashedRun = made.value.id;
    expect(await runListJob(syncDeps(), { tenantId, listJobId: crashed }, { isLast: false })).toEqual({
      kind: 'settled',
      status: 'completed',
    });
    expect(await klaviyoListsNamed('Spring drop')).toEqual([madeByCrashedRun]);
    const adopted = await findListJob(env.db, { tenantId, id: crashed });
    const group = await findKlaviyoGroup(env.db, { tenantId, id: adopted?.group_id ?? '' });
    expect(group?.external_id).toBe(madeByCrashedRun);

    // A second job for a list of the same name gets a list of its own: the first one is taken.
    const second = await createListJob('Spring drop');
    await runListJob(syncDeps(), { tenantId, listJobId: second }, { isLast: false });
    const both = await klaviyoListsNamed('Spring drop');
    expect(both).toHaveLength(2);
    expect((await findListJob(env.db, { tenantId, id: second }))?.status).toBe('completed');
  });

  it('a deleted key fails the job at once as needs_reauth', async () => {
    const connection = await keyConnection();
    const listJobId = await subscribeJob(connection);
    await control('klaviyo/revoke-key', { key: FULL_KEY });
    const outcome = await runListJob(syncDeps(), { tenantId: connection.tenant_id, listJobId }, { isLast: false });
    expect(outcome).toEqual({ kind: 'settled', status: 'failed' });
    const failed = await findListJob(env.db, { tenantId: connection.tenant_id, id: listJobId });
    expect(failed).toMatchObject({ status: 'failed', error_code: 'needs_reauth', profiles_ciphertext: null });
  });
});
