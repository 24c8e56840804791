// For every worker that calls a platform: the connection's access token, refreshed first when it is due
// (refresh-policy.ts: within the margin of its expiry, never before half its life). While another process refreshes the connection, this waits for that refresh instead of
// starting a second one, then reads what it stored.

import { findConnection } from '@adsync/db';
import { AppError } from '@adsync/errors';
import { openCredential } from '../credentials.ts';
import { type RefreshDeps, refreshConnection } from './refresh-connection.ts';
import { refreshDueAt } from './refresh-policy.ts';

const WAIT_FOR_REFRESH_MS = 30_000;
/** A token due for renewal that could not be renewed yet is still used while it lives at least this long. */
const MIN_REMAINING_MS = 60_000;

async function usableToken(deps: RefreshDeps, key: { tenantId: string; connectionId: string }, now: number) {
  const connection = await findConnection(deps.db, key);
  if (connection === undefined) {
    throw new AppError('connection_not_found', 'The connection no longer exists.', { status: 404 });
  }
  if (connection.status === 'needs_reauth' || connection.status === 'disconnected') {
    throw new AppError('connection_needs_reauth', `The ${connection.provider} connection must be reconnected.`, {
      status: 409,
    });
  }
  const field = connection.auth_method === 'api_key' ? 'api_key' : 'access_token';
  const sealed = field === 'api_key' ? connection.api_key_ciphertext : connection.access_token_ciphertext;
  if (sealed === null) {
    throw new AppError('connection_needs_reauth', `The ${connection.provider} connection holds no credentials.`, {
      status: 409,
    });
  }
  const expiresAt = connection.access_token_expires_at?.getTime();
  const issuedAt = connection.last_refreshed_at ?? connection.created_at;
  return {
    version: connection.credentials_version,
    remainingMs: expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - now,
    // A token just issued is never due, however short the platform made it, so a short-lived token is
    // used for half its life rather than refreshed on every call or refused.
    due:
      expiresAt !== undefined &&
      now >= refreshDueAt({ provider: connection.provider, issuedAt }, expiresAt, deps.timing),
    token: () => openCredential(deps.keyring, key, field, sealed),
  };
}

/** The access token (or Klaviyo private key) to call the platform with; throws AppError when there is none. */
export async function getFreshAccessToken(
  deps: RefreshDeps,
  key: { tenantId: string; connectionId: string },
): Promise<string> {
  const now = deps.now?.() ?? Date.now();
  const current = await usableToken(deps, key, now);
  if (!current.due) return current.token();
  const outcome = await refreshConnection(deps, key, { force: true, ifCredentialsVersion: current.version });
  if (outcome.kind === 'skipped' && outcome.reason === 'in_flight') {
    await deps.singleFlight.waitUntilFree(key.connectionId, WAIT_FOR_REFRESH_MS);
  }
  const after = await usableToken(deps, key, now);
  if (!after.due || after.remainingMs > MIN_REMAINING_MS) return after.token();
  throw new AppError(
    'credentials_unavailable',
    'The access token is about to expire and could not be refreshed yet; the job will retry.',
    { status: 503 },
  );
}
