// Keeping one connection's credentials alive: refresh or health-check it as its plan says, under the
// connection's single-flight lock, and write the outcome with a compare-and-swap on credentials_version.
// What failed decides what happens next (issue 5's taxonomy):
// - the grant is gone (invalid_grant, a permission removed, a token past its expiry) → needs_reauth at
//   once, with an audit event — unless another writer changed the credentials meanwhile: then it was a race;
// - throttled → come back when the platform says;
// - anything transient → back off with jitter; `degraded` only after several failures in a row.

import type { Keyring } from '@adsync/crypto';
import {
  type Connection,
  type Db,
  findConnection,
  listConnectionEvents,
  recordConnectionEvent,
  updateConnectionIfVersion,
} from '@adsync/db';
import type { Logger } from '@adsync/logging';
import type { ProviderError, ProviderId, ProviderResult, TokenSet } from '@adsync/providers';
import type { QueueProducer } from '@adsync/queues';
import { openCredential, openTokenSet, sealedTokenColumns } from '../credentials.ts';
import type { PlatformClients } from '../platform-clients.ts';
import { notifyTenant } from '../webhooks/deliver-webhook.ts';
import type { RefreshMetrics } from './refresh-metrics.ts';
import { type CredentialPlan, expiryWarningDue, planCredentials, type RefreshTiming } from './refresh-policy.ts';
import type { SingleFlight } from './single-flight.ts';
import type { KeptTokens, TokenStash } from './token-stash.ts';

/** The fleet-wide limiter as refreshes use it (the worker runtime's PlatformLimiter has this shape). */
export interface CallLimiter {
  before(call: { provider: string; endpoint: string; account?: string }, maxWaitMs: number): Promise<boolean>;
  throttled(
    call: { provider: string; endpoint: string; account?: string },
    retryAfterMs: number,
    scope?: 'app' | 'account' | 'endpoint',
  ): Promise<void>;
}

/** How long a refresh waits for room under the limiter before giving the slot back and retrying later. */
const LIMITER_WAIT_MS = 5_000;

export interface RefreshDeps {
  db: Db;
  /** Where tenant notifications (webhooks) are queued. */
  producer: QueueProducer;
  keyring: Keyring;
  platforms: PlatformClients;
  singleFlight: SingleFlight;
  /** Where newly issued tokens wait until Postgres has them (token-stash.ts). */
  tokenStash: TokenStash;
  timing: RefreshTiming;
  logger: Logger;
  /** Counts each outcome by provider (the refresh metrics); optional for tests and tools. */
  metrics?: RefreshMetrics;
  /** Keeps calls within the platforms' limits across the fleet; without it calls go out unthrottled. */
  limiter?: CallLimiter;
  now?: () => number;
}

export type RefreshOutcome =
  | { kind: 'refreshed' | 'healthy' }
  /** Nothing to do: not due, not a live connection, or another process is on it. */
  | { kind: 'skipped'; reason: 'not_due' | 'not_live' | 'in_flight' | 'refreshed_meanwhile' }
  | { kind: 'needs_reauth'; code: string }
  /** Another writer changed the credentials while this refresh ran; theirs stand. */
  | { kind: 'race' }
  | { kind: 'retry_later'; code: string; at: Date };

/** Failures in a row before a connection shows as degraded. */
export const DEGRADED_AFTER_FAILURES = 3;
const MAX_BACKOFF_MS = 30 * 60_000;
const LIVE = new Set(['active', 'degraded', 'pending']);

/** Exponential backoff from 30 s, capped at 30 minutes, with ±50 % jitter so broken connections spread out. */
export function backoffMs(failures: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + random()));
}

function planOf(
  connection: Pick<Connection, 'provider' | 'access_token_expires_at' | 'last_refreshed_at' | 'created_at'>,
  hasRefreshToken: boolean,
  timing: RefreshTiming,
  now: number,
): CredentialPlan {
  return planCredentials(
    {
      provider: connection.provider,
      issuedAt: connection.last_refreshed_at ?? connection.created_at,
      accessTokenExpiresAt: connection.access_token_expires_at,
      hasRefreshToken,
    },
    timing,
    now,
  );
}

/**
 * The check a connection without a refresh token gets: what the platform says of its credentials. Where the
 * check lists accounts, an answer adsync refuses to store (`invalid_response`: an account's unknown time
 * zone, a bad next-page link) still means the platform took the credentials, which is all this asks: the
 * connection stays as it is, nothing is stored, and discovery reports the refusal when it next runs.
 */
async function healthCheck(
  deps: RefreshDeps,
  connection: Connection,
  tokens: TokenSet | undefined,
): Promise<ProviderResult<{ accessTokenExpiresAt: Date | null }>> {
  const checked = await checkCredentials(deps, connection, tokens);
  if (checked.ok || checked.error.code !== 'invalid_response') return checked;
  deps.logger.warn(
    {
      tenantId: connection.tenant_id,
      connectionId: connection.id,
      provider: connection.provider,
      reason: checked.error.message,
    },
    'the platform took the credentials but its answer was refused',
  );
  return { ok: true, value: { accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null } };
}

async function checkCredentials(
  deps: RefreshDeps,
  connection: Connection,
  tokens: TokenSet | undefined,
): Promise<ProviderResult<{ accessTokenExpiresAt: Date | null }>> {
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  if (connection.auth_method === 'api_key') {
    if (connection.api_key_ciphertext === null) return { ok: false, error: gone('The Klaviyo key is missing.') };
    const privateKey = openCredential(deps.keyring, key, 'api_key', connection.api_key_ciphertext);
    const checked = await deps.platforms.validateKlaviyoKey({
      privateKey,
      ...(connection.public_key === null ? {} : { publicKey: connection.public_key }),
    });
    return checked.ok ? { ok: true, value: { accessTokenExpiresAt: null } } : checked;
  }
  if (tokens === undefined) return { ok: false, error: gone('The connection holds no credentials.') };
  const client = deps.platforms.oauth(connection.provider as ProviderId);
  if (client.inspect !== undefined) {
    const inspected = await client.inspect(tokens);
    return inspected.ok
      ? { ok: true, value: { accessTokenExpiresAt: inspected.value.accessTokenExpiresAt } }
      : inspected;
  }
  const accounts = await client.listAccounts(tokens);
  return accounts.ok ? { ok: true, value: { accessTokenExpiresAt: tokens.accessTokenExpiresAt } } : accounts;
}

type LimitedCall = { provider: string; endpoint: string; account?: string };

async function roomFor(deps: RefreshDeps, call: LimitedCall): Promise<boolean> {
  return deps.limiter === undefined ? true : deps.limiter.before(call, LIMITER_WAIT_MS);
}

/** Our own limiter had no room soon enough: the same as a throttle, without bothering the platform. */
function noRoom(): ProviderError {
  return {
    code: 'rate_limited',
    message: "The fleet is at this platform's rate limit; retrying shortly.",
    retryable: true,
    retryAfterMs: 1_000,
  };
}

function gone(message: string): ProviderError {
  return { code: 'invalid_grant', message, retryable: false };
}

/** Refreshes or checks one connection if it is due (or `force`d). Never throws for platform failures. */
export interface RefreshOptions {
  /** Refresh or check even if the connection is not due yet. */
  force?: boolean;
  /** Skip if the credentials are no longer this version: someone refreshed them since the caller looked. */
  ifCredentialsVersion?: number;
}

export async function refreshConnection(
  deps: RefreshDeps,
  key: { tenantId: string; connectionId: string },
  options: RefreshOptions = {},
): Promise<RefreshOutcome> {
  const flight = await deps.singleFlight.run(key.connectionId, () => refreshHoldingLock(deps, key, options));
  return flight.ran ? flight.value : { kind: 'skipped', reason: 'in_flight' };
}

async function refreshHoldingLock(
  deps: RefreshDeps,
  key: { tenantId: string; connectionId: string },
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  const now = deps.now?.() ?? Date.now();
  const connection = await findConnection(deps.db, key);
  if (connection === undefined || !LIVE.has(connection.status)) return { kind: 'skipped', reason: 'not_live' };
  const done = (outcome: RefreshOutcome): RefreshOutcome => {
    deps.metrics?.outcome(connection.provider, outcome.kind);
    return outcome;
  };
  if (options.ifCredentialsVersion !== undefined && connection.credentials_version !== options.ifCredentialsVersion) {
    return done({ kind: 'skipped', reason: 'refreshed_meanwhile' });
  }
  // Tokens an earlier refresh was issued but could not store: store them, and ask the platform nothing.
  const kept = await deps.tokenStash.find(key, connection.credentials_version);
  if (kept !== undefined) {
    deps.logger.info({ ...key, provider: connection.provider }, 'storing tokens an earlier refresh could not store');
    return done(await storeIssued(deps, connection, kept));
  }
  if (!options.force && connection.next_refresh_at !== null && connection.next_refresh_at.getTime() > now) {
    return done({ kind: 'skipped', reason: 'not_due' });
  }
  const tokens = openTokenSet(deps.keyring, connection);
  const plan = planOf(connection, tokens?.refreshToken !== undefined && tokens.refreshToken !== null, deps.timing, now);
  const version = { ...key, credentialsVersion: connection.credentials_version };

  if (plan.action === 'refresh' && tokens !== undefined) {
    const call = { provider: connection.provider, endpoint: 'token' };
    if (!(await roomFor(deps, call))) return done(await failed(deps, connection, noRoom(), now, call));
    const refreshed = await deps.platforms.oauth(connection.provider as ProviderId).refresh(tokens);
    if (!refreshed.ok) return done(await failed(deps, connection, refreshed.error, now, call));
    const issued: KeptTokens = { tokens: refreshed.value, issuedAt: new Date(now) };
    await deps.tokenStash.keep(key, connection.credentials_version, issued).catch((error: unknown) => {
      deps.logger.warn({ err: error, ...key }, 'could not keep the new tokens in Redis; storing them directly');
    });
    return done(await storeIssued(deps, connection, issued));
  }

  // A token past its expiry that cannot be refreshed is gone, whatever the platform would still say.
  if (connection.access_token_expires_at !== null && connection.access_token_expires_at.getTime() <= now) {
    const expired = gone(`The ${connection.provider} access token expired; reconnect to continue.`);
    return done(await failed(deps, connection, expired, now));
  }
  const call = {
    provider: connection.provider,
    endpoint: 'accounts',
    ...(connection.external_user_id === null ? {} : { account: connection.external_user_id }),
  };
  if (!(await roomFor(deps, call))) return done(await failed(deps, connection, noRoom(), now, call));
  const checked = await healthCheck(deps, connection, tokens);
  if (!checked.ok) return done(await failed(deps, connection, checked.error, now, call));
  const expiresAt = checked.value.accessTokenExpiresAt ?? connection.access_token_expires_at;
  const next = planOf({ ...connection, access_token_expires_at: expiresAt }, false, deps.timing, now);
  const written = await updateConnectionIfVersion(deps.db, version, {
    access_token_expires_at: expiresAt,
    next_refresh_at: next.at,
    consecutive_failures: 0,
    ...(connection.status === 'degraded' ? { status: 'active' as const } : {}),
    ...clearedError(connection),
  });
  if (written === undefined) return done({ kind: 'race' });
  if (connection.status === 'degraded') await recordRecovery(deps, connection);
  await warnBeforeExpiry(deps, connection, expiresAt, now);
  return done({ kind: 'healthy' });
}

/**
 * Stores tokens the platform issued, if the credentials are still the version they replace, then forgets
 * the kept copy. A failed write (Postgres unreachable) throws, and the kept copy waits for the next try.
 */
async function storeIssued(deps: RefreshDeps, connection: Connection, issued: KeptTokens): Promise<RefreshOutcome> {
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  const { tokens, issuedAt } = issued;
  const next = planOf(
    { ...connection, access_token_expires_at: tokens.accessTokenExpiresAt, last_refreshed_at: issuedAt },
    tokens.refreshToken !== null,
    deps.timing,
    issuedAt.getTime(),
  );
  const written = await updateConnectionIfVersion(
    deps.db,
    { ...key, credentialsVersion: connection.credentials_version },
    {
      ...sealedTokenColumns(deps.keyring, key, tokens),
      // The platform does not always repeat who granted access; keep what we knew.
      external_user_id: tokens.externalUserId ?? connection.external_user_id,
      next_refresh_at: next.at,
      credentials_version: connection.credentials_version + 1,
      last_refreshed_at: issuedAt,
      consecutive_failures: 0,
      ...(connection.status === 'degraded' ? { status: 'active' as const } : {}),
      ...clearedError(connection),
    },
  );
  await deps.tokenStash.drop(key).catch(() => undefined);
  if (written === undefined) return { kind: 'race' };
  if (connection.status === 'degraded') await recordRecovery(deps, connection);
  return { kind: 'refreshed' };
}

/** A refresh-related error goes away once a refresh or check succeeds; a scope warning stays. */
function clearedError(connection: Connection) {
  return connection.last_error_code === 'missing_scopes'
    ? {}
    : { last_error_code: null, last_error_message: null, last_error_at: null };
}

/** Records a connection event and, for the ones tenants hear about, queues its webhook. */
async function recordEvent(
  deps: RefreshDeps,
  connection: Connection,
  event: { type: string; message: string; detail?: Record<string, unknown> },
): Promise<void> {
  const stored = await recordConnectionEvent(deps.db, {
    tenantId: connection.tenant_id,
    connectionId: connection.id,
    ...event,
  });
  try {
    await notifyTenant(deps.producer, { tenantId: connection.tenant_id, id: stored.id, type: stored.type });
  } catch (error) {
    // The event is recorded; a webhook that could not be queued now is not worth failing the refresh for.
    deps.logger.warn({ err: error, connectionId: connection.id, type: event.type }, 'could not queue the webhook');
  }
}

async function recordRecovery(deps: RefreshDeps, connection: Connection): Promise<void> {
  await recordEvent(deps, connection, { type: 'recovered', message: 'Credentials work again.' });
}

/** Meta-style tokens that cannot be refreshed: warn the brand at 14, 7, 3 and 1 days before they lapse. */
async function warnBeforeExpiry(deps: RefreshDeps, connection: Connection, expiresAt: Date | null, now: number) {
  if (expiresAt === null) return;
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  // Warnings for this expiry are the newest ones (at most four): older pages hold earlier expiries only.
  const { events: warnings } = await listConnectionEvents(deps.db, key, { limit: 100, types: ['expiry_warning'] });
  const sent = warnings
    .filter((event) => event.detail.expiresAt === expiresAt.toISOString())
    .map((event) => Number(event.detail.daysLeft));
  const days = expiryWarningDue(expiresAt, sent, now);
  if (days === undefined) return;
  await recordEvent(deps, connection, {
    type: 'expiry_warning',
    message: `The ${connection.provider} connection expires in ${days} day${days === 1 ? '' : 's'} and cannot be renewed automatically: reconnect before ${expiresAt.toISOString().slice(0, 10)}.`,
    detail: { daysLeft: days, expiresAt: expiresAt.toISOString() },
  });
}

async function failed(
  deps: RefreshDeps,
  connection: Connection,
  error: ProviderError,
  now: number,
  call?: LimitedCall,
): Promise<RefreshOutcome> {
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  const version = { ...key, credentialsVersion: connection.credentials_version };
  const platformCode = error.platformCode ?? error.code;
  if (error.code === 'invalid_grant' || error.code === 'permission_denied') {
    const written = await updateConnectionIfVersion(deps.db, version, {
      status: 'needs_reauth',
      next_refresh_at: null,
      last_error_code: error.code === 'invalid_grant' ? 'token_revoked' : 'permission_denied',
      last_error_message: error.message,
      last_error_at: new Date(now),
    });
    // Someone refreshed or reconnected while this attempt ran: the grant we used is simply outdated.
    if (written === undefined) return { kind: 'race' };
    await recordEvent(deps, connection, { type: 'needs_reauth', message: error.message, detail: { platformCode } });
    deps.logger.warn({ ...key, provider: connection.provider, platformCode }, 'connection needs re-authorization');
    return { kind: 'needs_reauth', code: error.code };
  }
  if (error.code === 'rate_limited') {
    // Tell the fleet: the platform's throttle pauses this scope for every process, not just this job.
    if (call !== undefined && error.platformCode !== undefined)
      await deps.limiter?.throttled(call, error.retryAfterMs ?? 60_000, error.limitScope);
    const at = new Date(now + (error.retryAfterMs ?? 60_000));
    await updateConnectionIfVersion(deps.db, version, { next_refresh_at: at });
    return { kind: 'retry_later', code: error.code, at };
  }
  const failures = connection.consecutive_failures + 1;
  const at = new Date(now + backoffMs(failures));
  const degrade = failures >= DEGRADED_AFTER_FAILURES && connection.status === 'active';
  await updateConnectionIfVersion(deps.db, version, {
    consecutive_failures: failures,
    next_refresh_at: at,
    last_error_code: error.code === 'invalid_client' ? 'invalid_client' : 'refresh_failed',
    last_error_message: error.message,
    last_error_at: new Date(now),
    ...(degrade ? { status: 'degraded' as const } : {}),
  });
  if (degrade) {
    await recordEvent(deps, connection, {
      type: 'degraded',
      message: error.message,
      detail: { failures, platformCode },
    });
  }
  deps.logger.info({ ...key, provider: connection.provider, platformCode, failures }, 'refresh failed; will retry');
  return { kind: 'retry_later', code: error.code, at };
}
