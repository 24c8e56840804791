// One Klaviyo sync of one connection: its lists (metadata), its segments and every segment's members
// (profile ids only), or its catalog items, with a klaviyo_syncs row saying how it went.
//
// Members are read in full, page by page, and applied in one transaction per segment: what joined and what
// left since the previous member sync is recorded. Throttles slow the read (the reader waits out 429s and
// the fleet's limiter paces every request); one that lasts too long postpones the job without using an
// attempt. A key or grant Klaviyo refuses goes through the refresh path, which flips the connection to
// needs_reauth and tells the brand, and the sync stops.

import { refreshConnection } from '@adsync/connections';
import {
  applySegmentMembers,
  type Connection,
  findConnection,
  finishKlaviyoSync,
  type KlaviyoSyncScope,
  recordCatalogItems,
  recordKlaviyoGroups,
  startKlaviyoSync,
  updateConnection,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { Logger } from '@adsync/logging';
import {
  forEachSegmentMemberPage,
  type KlaviyoGroup,
  type KlaviyoReader,
  listKlaviyoCatalogItems,
  listKlaviyoLists,
  listKlaviyoSegments,
  type ProviderError,
  type ProviderResult,
} from '@adsync/providers';
import { RetryLaterError, UnrecoverableError } from '@adsync/worker-runtime';
import { type KlaviyoReaderDeps, klaviyoReaderFor } from './klaviyo-reader.ts';

const LIVE_STATUSES = new Set(['active', 'degraded']);

export type KlaviyoSyncDeps = KlaviyoReaderDeps & { logger: Logger; now?: () => number };

export interface KlaviyoSyncRequest {
  tenantId: string;
  connectionId: string;
  scope: KlaviyoSyncScope;
}

export type KlaviyoSyncOutcome =
  | { kind: 'synced'; counts: Record<string, number> }
  | { kind: 'skipped'; reason: 'not_found' | 'not_klaviyo' | 'not_live' }
  | { kind: 'needs_reauth' };

/** A failure worth retrying with backoff; `code` lands in klaviyo_syncs. */
export class KlaviyoSyncFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'KlaviyoSyncFailure';
    this.code = code;
  }
}

class UnrecoverableSyncFailure extends UnrecoverableError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Ends a sync early when Klaviyo no longer takes the connection's credentials. */
class NeedsReauth extends Error {}

export async function syncKlaviyo(deps: KlaviyoSyncDeps, request: KlaviyoSyncRequest): Promise<KlaviyoSyncOutcome> {
  const connection = await findConnection(deps.db, { tenantId: request.tenantId, connectionId: request.connectionId });
  if (connection === undefined) return { kind: 'skipped', reason: 'not_found' };
  if (connection.provider !== 'klaviyo') return { kind: 'skipped', reason: 'not_klaviyo' };
  if (!LIVE_STATUSES.has(connection.status)) return { kind: 'skipped', reason: 'not_live' };

  const syncId = await startKlaviyoSync(deps.db, { ...request });
  const counts: Record<string, number> = {};
  try {
    const run: SyncRun = {
      deps,
      connection,
      reader: await readerOrReauth(deps, connection),
      syncId,
      at: new Date(deps.now?.() ?? Date.now()),
      counts,
    };
    if (request.scope === 'lists') await syncLists(run);
    else if (request.scope === 'segments') await syncSegments(run);
    else await syncCatalog(run);
    await finishKlaviyoSync(deps.db, syncId, { status: 'succeeded', counts });
    await updateConnection(
      deps.db,
      { tenantId: connection.tenant_id, connectionId: connection.id },
      { last_synced_at: new Date() },
    );
    return { kind: 'synced', counts };
  } catch (error) {
    if (error instanceof NeedsReauth) {
      await finishKlaviyoSync(deps.db, syncId, {
        status: 'failed',
        counts,
        errorCode: 'needs_reauth',
        errorMessage: error.message,
      });
      return { kind: 'needs_reauth' };
    }
    await finishKlaviyoSync(deps.db, syncId, {
      status: 'failed',
      counts,
      errorCode: failureCode(error),
      errorMessage: error instanceof Error ? error.message : 'the sync failed',
    });
    throw error;
  }
}

async function readerOrReauth(deps: KlaviyoSyncDeps, connection: Connection): Promise<KlaviyoReader> {
  try {
    return await klaviyoReaderFor(deps, connection);
  } catch (error) {
    if (error instanceof AppError && error.code === 'connection_needs_reauth') throw new NeedsReauth(error.message);
    throw error;
  }
}

function parsedTime(value: string): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new KlaviyoSyncFailure('unavailable', `Klaviyo sent a bad time: ${value}`);
  return time;
}

function seen(groups: readonly KlaviyoGroup[]) {
  return groups.map((group) => ({
    externalId: group.id,
    name: group.name,
    createdAt: parsedTime(group.created),
    updatedAt: parsedTime(group.updated),
  }));
}

/** One sync in progress: whose, how it reads Klaviyo, when it started, and what it has done so far. */
interface SyncRun {
  deps: KlaviyoSyncDeps;
  connection: Connection;
  reader: KlaviyoReader;
  syncId: string;
  at: Date;
  counts: Record<string, number>;
}

async function syncLists({ deps, connection, reader, at, counts }: SyncRun): Promise<void> {
  const lists = await succeeded(deps, connection, await listKlaviyoLists(reader));
  const live = await recordKlaviyoGroups(deps.db, {
    tenantId: connection.tenant_id,
    connectionId: connection.id,
    kind: 'list',
    groups: seen(lists),
    at,
  });
  counts.lists = live.length;
}

async function syncCatalog({ deps, connection, reader, at, counts }: SyncRun): Promise<void> {
  const items = await succeeded(deps, connection, await listKlaviyoCatalogItems(reader));
  counts.catalogItems = await recordCatalogItems(deps.db, {
    tenantId: connection.tenant_id,
    connectionId: connection.id,
    items: items.map((item) => ({
      itemId: item.id,
      externalId: item.externalId,
      title: item.title,
      url: item.url,
      price: item.price,
      published: item.published,
      updatedAt: parsedTime(item.updated),
    })),
    at,
  });
}

async function syncSegments({ deps, connection, reader, syncId, at, counts }: SyncRun): Promise<void> {
  const segments = await succeeded(deps, connection, await listKlaviyoSegments(reader));
  const live = await recordKlaviyoGroups(deps.db, {
    tenantId: connection.tenant_id,
    connectionId: connection.id,
    kind: 'segment',
    groups: seen(segments),
    at,
  });
  counts.segments = live.length;
  counts.members = 0;
  counts.joined = 0;
  counts.left = 0;
  for (const segment of live) {
    const members = new Set<string>();
    await succeeded(
      deps,
      connection,
      await forEachSegmentMemberPage(reader, segment.external_id, (page) => {
        for (const id of page) members.add(id);
      }),
    );
    const applied = await applySegmentMembers(deps.db, {
      tenantId: connection.tenant_id,
      groupId: segment.id,
      syncId,
      members,
      at,
    });
    counts.members += applied.members;
    counts.joined += applied.joined;
    counts.left += applied.left;
  }
}

/** The value of a Klaviyo read, or the failure it means for the sync. */
async function succeeded<T>(deps: KlaviyoSyncDeps, connection: Connection, result: ProviderResult<T>): Promise<T> {
  if (result.ok) return result.value;
  throw await failureOf(deps, connection, result.error);
}

async function failureOf(deps: KlaviyoSyncDeps, connection: Connection, error: ProviderError): Promise<Error> {
  switch (error.code) {
    case 'rate_limited':
      // The reader already waited out what Klaviyo asked; a storm that outlasts it resumes later, no attempt used.
      return new RetryLaterError(error.retryAfterMs ?? 60_000, error.message);
    case 'invalid_grant': {
      // The refresh path decides: a dead key or grant flips the connection to needs_reauth and tells the brand.
      const checked = await refreshConnection(
        deps.refresh,
        { tenantId: connection.tenant_id, connectionId: connection.id },
        { force: true },
      );
      if (checked.kind === 'needs_reauth') return new NeedsReauth(error.message);
      return new KlaviyoSyncFailure('token_rejected', `${error.message} The credentials were checked; retrying.`);
    }
    case 'permission_denied':
      return new UnrecoverableSyncFailure(
        'permission_denied',
        `${error.message} Give the Klaviyo key or app the lists:read, segments:read, profiles:read and catalogs:read scopes.`,
      );
    case 'not_found':
    case 'invalid_request':
    case 'invalid_response':
      return new UnrecoverableSyncFailure(error.code, error.message);
    default:
      return new KlaviyoSyncFailure(error.code, error.message);
  }
}

function failureCode(error: unknown): string {
  if (error instanceof RetryLaterError) return 'rate_limited';
  if (error instanceof KlaviyoSyncFailure || error instanceof UnrecoverableSyncFailure) return error.code;
  if (error instanceof AppError) return error.code;
  return 'internal_error';
}
