// One spend sync of one ad account: read the range at every grain (day, hour, region) through the account's
// platform, write the rows idempotently, and leave a sync_runs row saying how it went.
//
// Failures follow the connection's taxonomy: a throttle pauses this account for the fleet and postpones the
// job (no attempt used, other accounts unaffected); a grant the platform refuses sends the connection
// through the refresh path, which flips it to needs_reauth and tells the brand, and the sync stops; a
// transient failure throws so the queue retries with backoff.

import { getFreshAccessToken, type RefreshDeps, refreshConnection } from '@adsync/connections';
import {
  type AdAccount,
  type Connection,
  type Db,
  findSpendAccount,
  finishSyncRun,
  markAccountSynced,
  type SpendProvider,
  type SyncKind,
  startSyncRun,
  writeSpendRows,
} from '@adsync/db';
import { AppError } from '@adsync/errors';
import type { Logger } from '@adsync/logging';
import { type CallPacer, type ProviderError, SPEND_GRAINS } from '@adsync/providers';
import { type PlatformLimiter, RetryLaterError, UnrecoverableError } from '@adsync/worker-runtime';
import { addDays, hourlySyncRange, localClock } from './spend-dates.ts';
import type { SpendMetrics } from './spend-metrics.ts';
import type { SpendReaders } from './spend-readers.ts';

/** How long one platform call waits for room under the fleet's limiter before the job is postponed. */
const LIMITER_WAIT_MS = 10_000;
const LIVE_STATUSES = new Set(['active', 'degraded']);

export interface SpendSyncDeps {
  db: Db;
  /** Tokens come through the refresh path (single-flight, refreshed ahead of expiry). */
  refresh: RefreshDeps & { limiter: PlatformLimiter };
  readers: SpendReaders;
  /** A past day whose total moves by more than this percent on restatement is recorded. */
  restatementThresholdPercent: number;
  logger: Logger;
  metrics?: SpendMetrics;
  now?: () => number;
}

export interface SpendSyncRequest {
  tenantId: string;
  adAccountId: string;
  from: string;
  to: string;
  kind: SyncKind;
  jobId: string | null;
  signal?: AbortSignal;
}

export type SpendSyncOutcome =
  | { kind: 'synced'; rowsWritten: number; restatements: number }
  | { kind: 'skipped'; reason: 'not_found' | 'not_selected' | 'not_live' }
  | { kind: 'needs_reauth' };

function pacerFor(limiter: PlatformLimiter, provider: SpendProvider, account: string): CallPacer {
  return {
    before: (endpoint) => limiter.before({ provider, endpoint, account }, LIMITER_WAIT_MS),
    usage: (signal) => limiter.usage({ provider, endpoint: 'report', account }, signal),
  };
}

interface SyncTarget {
  account: AdAccount;
  connection: Connection;
  provider: SpendProvider;
  runId: string;
}

/** Syncs `from..to` of one account (nightly restatements and backfills). */
export async function syncAccountSpend(deps: SpendSyncDeps, request: SpendSyncRequest): Promise<SpendSyncOutcome> {
  const found = await findSpendAccount(deps.db, { tenantId: request.tenantId, adAccountId: request.adAccountId });
  return syncFoundAccount(deps, found, request);
}

/** The hourly sync: the account's today, and yesterday in the first `yesterdayHours` after its midnight. */
export async function syncHourlySpend(
  deps: SpendSyncDeps,
  request: Omit<SpendSyncRequest, 'from' | 'to' | 'kind'> & { yesterdayHours: number },
): Promise<SpendSyncOutcome> {
  const found = await findSpendAccount(deps.db, { tenantId: request.tenantId, adAccountId: request.adAccountId });
  if (found === undefined) return { kind: 'skipped', reason: 'not_found' };
  const { yesterdayHours, ...rest } = request;
  const range = hourlySyncRange(deps.now?.() ?? Date.now(), found.account.timezone, yesterdayHours);
  return syncFoundAccount(deps, found, { ...rest, ...range, kind: 'hourly' });
}

async function syncFoundAccount(
  deps: SpendSyncDeps,
  found: { account: AdAccount; connection: Connection } | undefined,
  request: SpendSyncRequest,
): Promise<SpendSyncOutcome> {
  if (found === undefined) return { kind: 'skipped', reason: 'not_found' };
  const { account, connection } = found;
  if (!account.selected) return { kind: 'skipped', reason: 'not_selected' };
  if (!LIVE_STATUSES.has(connection.status)) return { kind: 'skipped', reason: 'not_live' };
  const provider = account.provider as SpendProvider;
  const started = Date.now();
  const runId = await startSyncRun(deps.db, {
    tenantId: request.tenantId,
    connectionId: connection.id,
    adAccountId: account.id,
    provider,
    kind: request.kind,
    jobId: request.jobId,
    from: request.from,
    to: request.to,
  });
  const target: SyncTarget = { account, connection, provider, runId };
  // Rows written before a failure still count in the failed run's row.
  const progress = { rowsWritten: 0 };
  try {
    const outcome = await readAndWrite(deps, request, target, progress);
    deps.metrics?.runs.inc({ provider, kind: request.kind, outcome: outcome.kind });
    return outcome;
  } catch (error) {
    await finishSyncRun(deps.db, runId, {
      status: 'failed',
      rowsWritten: progress.rowsWritten,
      errorCode: failureCode(error),
      errorMessage: error instanceof Error ? error.message : 'the sync failed',
    });
    deps.metrics?.runs.inc({ provider, kind: request.kind, outcome: failureCode(error) });
    throw error;
  } finally {
    deps.metrics?.seconds.observe({ provider, kind: request.kind }, (Date.now() - started) / 1000);
  }
}

async function readAndWrite(
  deps: SpendSyncDeps,
  request: SpendSyncRequest,
  target: SyncTarget,
  progress: { rowsWritten: number },
): Promise<SpendSyncOutcome> {
  const { account, connection, provider, runId } = target;
  const connectionKey = { tenantId: request.tenantId, connectionId: connection.id };
  let accessToken: string;
  try {
    accessToken = await getFreshAccessToken(deps.refresh, connectionKey);
  } catch (error) {
    if (error instanceof AppError && error.code === 'connection_needs_reauth') {
      await finishSyncRun(deps.db, runId, {
        status: 'failed',
        rowsWritten: 0,
        errorCode: 'needs_reauth',
        errorMessage: error.message,
      });
      return { kind: 'needs_reauth' };
    }
    throw error;
  }
  const localToday = localClock(deps.now?.() ?? Date.now(), account.timezone).date;
  const pacer = pacerFor(deps.refresh.limiter, provider, account.external_id);
  let restatements = 0;
  for (const grain of SPEND_GRAINS) {
    const read = await deps.readers[provider].read({
      accessToken,
      account: {
        externalId: account.external_id,
        currency: account.currency,
        managerExternalId: account.manager_external_id,
      },
      from: request.from,
      to: request.to,
      grain,
      pacer,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    if (!read.ok) return failedRead(deps, request, target, read.error);
    const written = await writeSpendRows(deps.db, {
      tenantId: request.tenantId,
      provider,
      adAccountId: account.id,
      currency: account.currency,
      from: request.from,
      to: request.to,
      grain,
      rows: read.value,
      // The hourly sync re-reads yesterday because its last hours were still coming in: not a restatement.
      ...(request.kind === 'hourly'
        ? {}
        : {
            restatement: { before: localToday, thresholdPercent: deps.restatementThresholdPercent, syncRunId: runId },
          }),
    });
    const changed = written.upserted + written.removed;
    progress.rowsWritten += changed;
    deps.metrics?.rows.inc({ provider }, changed);
    restatements += written.restatements;
  }
  const key = { tenantId: request.tenantId, adAccountId: account.id };
  if (request.kind === 'hourly') await markAccountSynced(deps.db, key, { syncedAt: new Date() });
  if (request.kind === 'nightly') await markAccountSynced(deps.db, key, { restatedOn: addDays(request.to, 1) });
  await finishSyncRun(deps.db, runId, { status: 'succeeded', rowsWritten: progress.rowsWritten });
  return { kind: 'synced', rowsWritten: progress.rowsWritten, restatements };
}

/** What a failed platform read means for the job. */
async function failedRead(
  deps: SpendSyncDeps,
  request: SpendSyncRequest,
  target: SyncTarget,
  error: ProviderError,
): Promise<SpendSyncOutcome> {
  const { account, connection, provider } = target;
  const call = { provider, endpoint: 'report', account: account.external_id };
  switch (error.code) {
    case 'rate_limited': {
      const waitMs = error.retryAfterMs ?? 60_000;
      // Only what the platform actually throttled pauses (usually this one ad account), for every process.
      if (error.platformCode !== undefined || error.limitScope !== undefined)
        await deps.refresh.limiter.throttled(call, waitMs, error.limitScope);
      throw new RetryLaterError(waitMs, error.message);
    }
    case 'invalid_grant': {
      // The refresh path decides: a dead grant flips the connection to needs_reauth and tells the brand.
      const checked = await refreshConnection(
        deps.refresh,
        { tenantId: request.tenantId, connectionId: connection.id },
        { force: true },
      );
      if (checked.kind === 'needs_reauth') {
        await finishSyncRun(deps.db, target.runId, {
          status: 'failed',
          rowsWritten: 0,
          errorCode: 'needs_reauth',
          errorMessage: error.message,
        });
        return { kind: 'needs_reauth' };
      }
      throw new SyncFailure('token_rejected', `${error.message} The credentials were checked; retrying.`);
    }
    case 'permission_denied':
    case 'not_found':
    case 'invalid_request':
    case 'invalid_response':
      // Retrying cannot help: the grant no longer reaches this account, the request itself is wrong, or the
      // platform answers with what adsync refuses (a link off its host, pages without end).
      throw new UnrecoverableFailure(error.code, error.message);
    default:
      throw new SyncFailure(error.code, error.message);
  }
}

/** A failure worth retrying with backoff; `code` lands in sync_runs. */
export class SyncFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SyncFailure';
    this.code = code;
  }
}

class UnrecoverableFailure extends UnrecoverableError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function failureCode(error: unknown): string {
  if (error instanceof RetryLaterError) return 'rate_limited';
  if (error instanceof SyncFailure || error instanceof UnrecoverableFailure) return error.code;
  if (error instanceof AppError) return error.code;
  return 'internal_error';
}
