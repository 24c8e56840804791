// Tenant API keys are checked at the database at most once every few seconds per key: a brand's backend
// posts thousands of events a second with one key, and each check also records the key's last use. A key
// revoked through this gateway stops working here at once, and on other gateway replicas within
// KEY_RECHECK_MS. Unknown keys are never cached.

import { type Db, useApiKey } from '@adsync/db';

const KEY_RECHECK_MS = 5_000;
const MAX_CACHED_KEYS = 10_000;

interface CachedKey {
  lookup: Promise<{ tenantId: string; keyId: string } | undefined>;
  checkedAt: number;
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
  // Concurrent requests with the same key share one lookup.
  const lookup = useApiKey(db, keyHash);
  cache.delete(keyHash);
  cache.set(keyHash, { lookup, checkedAt: now });
  if (cache.size > MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  try {
    const found = await lookup;
    if (found === undefined) cache.delete(keyHash);
    return found;
  } catch (error) {
    cache.delete(keyHash);
    throw error;
  }
}

/** A key was revoked here: forget it now rather than within KEY_RECHECK_MS. */
export async function forgetApiKey(db: Db, keyId: string): Promise<void> {
  const cache = cacheFor(db);
  for (const [hash, entry] of cache) {
    const found = await entry.lookup.catch(() => undefined);
    if (found?.keyId === keyId) cache.delete(hash);
  }
}
