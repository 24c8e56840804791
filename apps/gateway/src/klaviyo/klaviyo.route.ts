// The tenant's Klaviyo API: its synced lists and segments; list jobs (create a list, add profiles to a list
// with their consent or take them off: queued for worker-klaviyo and followed by id); a segment's members
// (Klaviyo profile ids) and the joins and leaves found between syncs; the syncs themselves and syncs on
// demand; its catalog items and product mappings (set, list, remove, and which products are still unmapped).
// Everything is scoped to the caller's tenant and its Klaviyo connection.

import { randomUUID } from 'node:crypto';
import {
  type Connection,
  deleteProductMapping,
  findCatalogItem,
  findConnectionByProvider,
  findKlaviyoGroup,
  findListJob,
  insertListJob,
  KLAVIYO_SYNC_SCOPES,
  type KlaviyoGroup,
  type KlaviyoListJob,
  listCatalogItems,
  listKlaviyoGroups,
  listKlaviyoSyncs,
  listListJobs,
  listProductMappings,
  listSegmentChanges,
  listSegmentMembers,
  setProductMapping,
  unmappedProducts,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import { sealListProfiles } from '@adsync/klaviyo';
import { MAX_PROFILES_PER_SUBSCRIPTION_JOB } from '@adsync/providers';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../gateway-deps.ts';
import { parseInput } from '../http/validation.ts';
import { requireTenant, tenantOf } from '../tenants/tenant-auth.ts';

const LIVE_STATUSES = new Set(['active', 'degraded']);
const MAX_PRODUCTS_PER_CHECK = 1_000;

const pageQuery = (cursor: z.ZodType<string | undefined>) =>
  z.strictObject({ after: cursor, limit: z.coerce.number().int().min(1).max(1_000).default(100) });
const changesQuery = pageQuery(
  z
    .string()
    .regex(/^\d{1,18}$/, 'is a change id from an earlier page')
    .optional(),
);
const textCursorQuery = pageQuery(z.string().min(1).max(500).optional());
const catalogQuery = z.strictObject({
  after: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  unmapped: z.enum(['true', 'false']).optional(),
});
const syncsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });
const syncBody = z.strictObject({ scope: z.enum([...KLAVIYO_SYNC_SCOPES, 'all']).default('all') });
const productRef = z.string().trim().min(1).max(255);
const mappingBody = z.strictObject({ catalogItemId: z.string().min(1).max(500) });
const uncheckedBody = z.strictObject({ products: z.array(productRef).min(1).max(MAX_PRODUCTS_PER_CHECK) });
const idParams = z.strictObject({ id: z.uuid() });
const createListBody = z.strictObject({ name: z.string().trim().min(1).max(255) });
const listProfile = z
  .strictObject({
    email: z.email().trim().toLowerCase().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +15005550006')
      .optional(),
    /** subscriptions: the channels the profile consented to; unsubscriptions: the channels to unsubscribe. */
    channels: z.array(z.enum(['email', 'sms'])).min(1, 'name at least one channel (email, sms)'),
  })
  .refine((profile) => !profile.channels.includes('email') || profile.email !== undefined, {
    message: 'the email channel needs an email',
    path: ['email'],
  })
  .refine((profile) => !profile.channels.includes('sms') || profile.phone !== undefined, {
    message: 'the sms channel needs a phone',
    path: ['phone'],
  });
const subscriptionsBody = z.strictObject({
  profiles: z.array(listProfile).min(1).max(MAX_PROFILES_PER_SUBSCRIPTION_JOB),
  customSource: z.string().trim().min(1).max(255).optional(),
});
const unsubscriptionsBody = z.strictObject({
  profiles: z.array(listProfile).min(1).max(MAX_PROFILES_PER_SUBSCRIPTION_JOB),
});
const refParams = z.strictObject({ productRef });

function groupView(group: KlaviyoGroup) {
  return {
    id: group.id,
    klaviyoId: group.external_id,
    name: group.name,
    createdAt: group.klaviyo_created_at,
    updatedAt: group.klaviyo_updated_at,
    ...(group.kind === 'segment' ? { memberCount: group.member_count, membersSyncedAt: group.members_synced_at } : {}),
  };
}

/** A list job as the API shows it: never its profiles. */
function listJobView(job: KlaviyoListJob) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    listId: job.group_id,
    ...(job.list_name === null ? {} : { listName: job.list_name }),
    profiles: job.profile_count,
    confirmed: job.confirmed_count,
    missing: job.missing_count,
    submittedAt: job.submitted_at,
    finishedAt: job.finished_at,
    ...(job.error_code === null ? {} : { error: { code: job.error_code, message: job.error_message } }),
  };
}

/** The next page's cursor: the last item's, when the page is full. */
function nextCursor<T>(items: readonly T[], limit: number, cursorOf: (item: T) => string): string | null {
  const last = items.at(-1);
  return items.length === limit && last !== undefined ? cursorOf(last) : null;
}

export function klaviyoRoutes(deps: GatewayDeps) {
  /** The tenant's Klaviyo connection; 409 when it has none. */
  const klaviyoConnection = async (request: FastifyRequest): Promise<Connection> => {
    const connection = await findConnectionByProvider(deps.db, {
      tenantId: tenantOf(request).tenantId,
      provider: 'klaviyo',
    });
    if (connection === undefined || connection.status === 'disconnected') {
      throw new AppError('klaviyo_not_connected', 'Connect Klaviyo first (a private key or the Klaviyo app).', {
        status: 409,
      });
    }
    return connection;
  };
  /** The tenant's Klaviyo connection when it can be used now; 409 otherwise. */
  const liveKlaviyoConnection = async (request: FastifyRequest): Promise<Connection> => {
    const connection = await klaviyoConnection(request);
    if (!LIVE_STATUSES.has(connection.status)) {
      throw new AppError(
        'klaviyo_not_live',
        `The Klaviyo connection is ${connection.status.replace('_', ' ')}; reconnect it first.`,
        { status: 409 },
      );
    }
    return connection;
  };
  /** One of the tenant's lists (adsync's id); 404 otherwise. */
  const listOf = async (request: FastifyRequest): Promise<KlaviyoGroup> => {
    const { id } = parseInput(idParams, request.params, 'path');
    const group = await findKlaviyoGroup(deps.db, { tenantId: tenantOf(request).tenantId, id });
    if (group === undefined || group.kind !== 'list' || group.removed_at !== null) {
      throw new AppError('list_not_found', `There is no Klaviyo list ${id} for this tenant.`, { status: 404 });
    }
    return group;
  };
  /** Stores a list job and queues it; the answer is the job, to follow at GET /v1/klaviyo/list-jobs/{id}. */
  const queueListJob = async (job: Parameters<typeof insertListJob>[1]) => {
    const stored = await insertListJob(deps.db, job);
    await deps.producer.enqueue('klaviyo-sync', 'list-job', { tenantId: stored.tenant_id, listJobId: stored.id });
    return listJobView(stored);
  };
  /** The profiles of a subscription request, sealed to a new list job. */
  const profileJob = (
    connection: Connection,
    kind: 'subscribe' | 'unsubscribe',
    group: KlaviyoGroup,
    profiles: readonly z.output<typeof listProfile>[],
  ) => {
    const sealed = sealListProfiles(
      deps.keyring,
      connection.tenant_id,
      profiles.map((profile) => ({
        email: profile.email ?? null,
        phoneNumber: profile.phone ?? null,
        channels: profile.channels,
      })),
    );
    return {
      id: sealed.listJobId,
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      kind,
      groupId: group.id,
      profilesCiphertext: sealed.profilesCiphertext,
      profileCount: profiles.length,
    };
  };
  /** One of the tenant's segments; 404 otherwise (another tenant's looks the same as none). */
  const segmentOf = async (request: FastifyRequest): Promise<KlaviyoGroup> => {
    const { id } = parseInput(idParams, request.params, 'path');
    const group = await findKlaviyoGroup(deps.db, { tenantId: tenantOf(request).tenantId, id });
    if (group === undefined || group.kind !== 'segment') {
      throw new AppError('segment_not_found', `There is no Klaviyo segment ${id} for this tenant.`, { status: 404 });
    }
    return group;
  };

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireTenant(deps));

    app.get('/v1/klaviyo/lists', async (request) => {
      const lists = await listKlaviyoGroups(deps.db, { tenantId: tenantOf(request).tenantId, kind: 'list' });
      return { lists: lists.map(groupView) };
    });

    app.post('/v1/klaviyo/lists', async (request, reply) => {
      const body = parseInput(createListBody, request.body, 'body');
      const connection = await liveKlaviyoConnection(request);
      const job = await queueListJob({
        id: randomUUID(),
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        kind: 'create_list',
        listName: body.name,
      });
      return reply.status(202).send(job);
    });

    app.post('/v1/klaviyo/lists/:id/subscriptions', async (request, reply) => {
      const body = parseInput(subscriptionsBody, request.body, 'body');
      const connection = await liveKlaviyoConnection(request);
      const job = profileJob(connection, 'subscribe', await listOf(request), body.profiles);
      const queued = await queueListJob({
        ...job,
        ...(body.customSource === undefined ? {} : { customSource: body.customSource }),
      });
      return reply.status(202).send(queued);
    });

    app.post('/v1/klaviyo/lists/:id/unsubscriptions', async (request, reply) => {
      const body = parseInput(unsubscriptionsBody, request.body, 'body');
      const connection = await liveKlaviyoConnection(request);
      const queued = await queueListJob(profileJob(connection, 'unsubscribe', await listOf(request), body.profiles));
      return reply.status(202).send(queued);
    });

    app.get('/v1/klaviyo/list-jobs', async (request) => {
      const query = parseInput(syncsQuery, request.query, 'query');
      const jobs = await listListJobs(deps.db, { tenantId: tenantOf(request).tenantId, limit: query.limit });
      return { listJobs: jobs.map(listJobView) };
    });

    app.get('/v1/klaviyo/list-jobs/:id', async (request) => {
      const { id } = parseInput(idParams, request.params, 'path');
      const job = await findListJob(deps.db, { tenantId: tenantOf(request).tenantId, id });
      if (job === undefined) {
        throw new AppError('list_job_not_found', `There is no Klaviyo list job ${id} for this tenant.`, {
          status: 404,
        });
      }
      return listJobView(job);
    });

    app.get('/v1/klaviyo/segments', async (request) => {
      const segments = await listKlaviyoGroups(deps.db, { tenantId: tenantOf(request).tenantId, kind: 'segment' });
      return { segments: segments.map(groupView) };
    });

    app.get('/v1/klaviyo/segments/:id/members', async (request) => {
      const segment = await segmentOf(request);
      const query = parseInput(textCursorQuery, request.query, 'query');
      const members = await listSegmentMembers(deps.db, {
        groupId: segment.id,
        limit: query.limit,
        ...(query.after === undefined ? {} : { afterProfileId: query.after }),
      });
      return { profileIds: members, next: nextCursor(members, query.limit, (id) => id) };
    });

    app.get('/v1/klaviyo/segments/:id/changes', async (request) => {
      const segment = await segmentOf(request);
      const query = parseInput(changesQuery, request.query, 'query');
      const changes = await listSegmentChanges(deps.db, {
        tenantId: segment.tenant_id,
        groupId: segment.id,
        limit: query.limit,
        ...(query.after === undefined ? {} : { afterId: BigInt(query.after) }),
      });
      return {
        changes: changes.map((change) => ({
          id: change.id.toString(),
          profileId: change.profile_id,
          change: change.change,
          syncId: change.sync_id,
          recordedAt: change.recorded_at,
        })),
        next: nextCursor(changes, query.limit, (change) => change.id.toString()),
      };
    });

    app.get('/v1/klaviyo/syncs', async (request) => {
      const query = parseInput(syncsQuery, request.query, 'query');
      const syncs = await listKlaviyoSyncs(deps.db, { tenantId: tenantOf(request).tenantId, limit: query.limit });
      return {
        syncs: syncs.map((sync) => ({
          id: sync.id,
          scope: sync.scope,
          status: sync.status,
          counts: sync.counts,
          startedAt: sync.started_at,
          finishedAt: sync.finished_at,
          ...(sync.error_code === null ? {} : { error: { code: sync.error_code, message: sync.error_message } }),
        })),
      };
    });

    app.post('/v1/klaviyo/sync', async (request, reply) => {
      const { scope } = parseInput(syncBody, request.body, 'body');
      const connection = await liveKlaviyoConnection(request);
      const scopes = scope === 'all' ? [...KLAVIYO_SYNC_SCOPES] : [scope];
      await deps.producer.enqueueBulk(
        'klaviyo-sync',
        'sync-klaviyo',
        scopes.map((each) => ({ tenantId: connection.tenant_id, connectionId: connection.id, scope: each })),
      );
      return reply.status(202).send({ enqueued: scopes });
    });

    app.get('/v1/klaviyo/catalog-items', async (request) => {
      const query = parseInput(catalogQuery, request.query, 'query');
      const items = await listCatalogItems(deps.db, {
        tenantId: tenantOf(request).tenantId,
        limit: query.limit,
        unmappedOnly: query.unmapped === 'true',
        ...(query.after === undefined ? {} : { afterItemId: query.after }),
      });
      return {
        catalogItems: items.map((item) => ({
          id: item.item_id,
          externalId: item.external_id,
          title: item.title,
          url: item.url,
          price: item.price,
          published: item.published,
          mappedProducts: item.product_refs,
        })),
        next: nextCursor(items, query.limit, (item) => item.item_id),
      };
    });

    app.get('/v1/klaviyo/product-mappings', async (request) => {
      const query = parseInput(textCursorQuery, request.query, 'query');
      const mappings = await listProductMappings(deps.db, {
        tenantId: tenantOf(request).tenantId,
        limit: query.limit,
        ...(query.after === undefined ? {} : { afterRef: query.after }),
      });
      return {
        productMappings: mappings.map((mapping) => ({
          productRef: mapping.product_ref,
          catalogItemId: mapping.item_id,
          catalogItem: mapping.item_live ? { title: mapping.title, externalId: mapping.external_id } : null,
          status: mapping.item_live ? 'mapped' : 'catalog_item_missing',
          updatedAt: mapping.updated_at,
        })),
        next: nextCursor(mappings, query.limit, (mapping) => mapping.product_ref),
      };
    });

    app.put('/v1/klaviyo/product-mappings/:productRef', async (request) => {
      const params = parseInput(refParams, request.params, 'path');
      const body = parseInput(mappingBody, request.body, 'body');
      const connection = await klaviyoConnection(request);
      const item = await findCatalogItem(deps.db, {
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        itemId: body.catalogItemId,
      });
      if (item === undefined) {
        throw new AppError(
          'catalog_item_not_found',
          `Klaviyo's catalog (as last synced) has no item ${body.catalogItemId}. Check the id at GET /v1/klaviyo/catalog-items, or sync the catalog (POST /v1/klaviyo/sync).`,
          { status: 404 },
        );
      }
      const mapping = await setProductMapping(deps.db, {
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        productRef: params.productRef,
        itemId: item.item_id,
      });
      return {
        productRef: mapping.product_ref,
        catalogItemId: mapping.item_id,
        catalogItem: { title: item.title, externalId: item.external_id },
        status: 'mapped',
        updatedAt: mapping.updated_at,
      };
    });

    app.delete('/v1/klaviyo/product-mappings/:productRef', async (request, reply) => {
      const params = parseInput(refParams, request.params, 'path');
      const deleted = await deleteProductMapping(deps.db, {
        tenantId: tenantOf(request).tenantId,
        productRef: params.productRef,
      });
      if (!deleted) {
        throw new AppError('mapping_not_found', `Product ${params.productRef} has no mapping.`, { status: 404 });
      }
      return reply.status(204).send();
    });

    app.post('/v1/klaviyo/product-mappings/unmapped', async (request) => {
      const body = parseInput(uncheckedBody, request.body, 'body');
      const connection = await klaviyoConnection(request);
      const unmapped = await unmappedProducts(deps.db, {
        tenantId: connection.tenant_id,
        connectionId: connection.id,
        productRefs: body.products,
      });
      return {
        unmapped: unmapped.map((entry) => ({
          productRef: entry.productRef,
          suggestedCatalogItemId: entry.suggestedItemId,
        })),
      };
    });
  };
}
