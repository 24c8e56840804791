// Tenant API keys are checked at the database at most once every few seconds per key: a brand's backend
// posts thousands of events a second with one key, and each check also records the key's last use. A key
// revoked through this gateway stops working here at once, and on other gateway replicas within
// KEY_RECHECK_MS. Unknown keys are never cached. While Postgres is down or restarting, a key the database
// confirmed within the last OUTAGE_GRACE_MS keeps working, so a storefront's events are still accepted into
// Redis during a database outage (nobody can revoke a key while the database is down anyway).

import { type Db, useApiKey } from '@adsync/db';
import { isDependencyUnavailable } from '@adsync/errors';

const KEY_RECHECK_MS = 5_000;
const OUTAGE_GRACE_MS = 10 * 60_000;
const MAX_CACHED_KEYS = 10_000;

type LiveKey = { tenantId: string; keyId: string };

interface CachedKey {
  lookup: Promise<LiveKey | undefined>;
  checkedAt: number;
  /** The database's last confirmation of this key, served while the database cannot be reached. */
  confirmed?: { key: LiveKey; at: number };
}

const cachesByDatabase = new WeakMap<Db, Map<string, CachedKey>>();

function cacheFor(db: Db): Map<string, CachedKey> {
  let cache = cachesByDatabase.get(db);
  if (cache === undefined) {
    cache = new Map();
    cachesByDatabase.set(db, cache);
  }
  return cache;
}

/** The tenant and key behind a key hash, or undefined for an unknown or revoked key. */
export async function liveApiKey(
  db: Db,
  keyHash: string,
  now = Date.now(),
): Promise<{ tenantId: string; keyId: string } | undefined> {
  const cache = cacheFor(db);
  const cached = cache.get(keyHash);
  if (cached !== undefined && now - cached.checkedAt < KEY_RECHECK_MS) return cached.lookup;
  const confirmed = cached?.confirmed;
  // Concurrent requests with the same key share one lookup.
  const lookup = useApiKey(db, keyHash);
  const entry: CachedKey = { lookup, checkedAt: now, ...(confirmed === undefined ? {} : { confirmed }) };
  cache.delete(keyHash);
  cache.set(keyHash, entry);
  if (cache.size > MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  try {
    const found = await lookup;
    if (found === undefined) cache.delete(keyHash);
    else entry.confirmed = { key: found, at: now };
    return found;
  } catch (error) {
    if (confirmed !== undefined && now - confirmed.at < OUTAGE_GRACE_MS && isDependencyUnavailable(error)) {
      // Later requests within KEY_RECHECK_MS get the confirmed key too, without a lookup each.
      entry.lookup = Promise.resolve(confirmed.key);
      return confirmed.key;
    }
    cache.delete(keyHash);
    throw error;
  }
}

/**
 * Whether this gateway has seen the database confirm the key lately: such a key keeps working from an
 * address that is locked out for failed credentials (a brand's other service sending a revoked key from
 * the same NAT must not stop its live one).
 */
export function recentlyConfirmedApiKey(db: Db, keyHash: string, now = Date.now()): boolean {
  const confirmed = cacheFor(db).get(keyHash)?.confirmed;
  return confirmed !== undefined && now - confirmed.at < OUTAGE_GRACE_MS;
}

/** A key was revoked here: forget it now rather than within KEY_RECHECK_MS. */
export async function forgetApiKey(db: Db, keyId: string): Promise<void> {
  const cache = cacheFor(db);
  for (const [hash, entry] of cache) {
    const found = await entry.lookup.catch(() => undefined);
    if (found?.keyId === keyId) cache.delete(hash);
  }
}
