import { describe, expect, it } from 'vitest';
import { isStaleTestDatabase, newDatabaseName, newQueuePrefix, staleQueuePrefixOf } from './database-names.ts';

const day = 86_400_000;

describe('test resource names', () => {
  it('recognise their own databases once they are older than the limit, and nothing else', () => {
    const name = newDatabaseName('db');
    expect(isStaleTestDatabase(name, Date.now(), day)).toBe(false);
    expect(isStaleTestDatabase(name, Date.now() + 2 * day, day)).toBe(true);
    expect(isStaleTestDatabase('adsync', Date.now() + 2 * day, day)).toBe(false);
    expect(isStaleTestDatabase('adsync_t_db_zz_notahex', Date.now() + 2 * day, day)).toBe(false);
  });

  it('recognise stale queue prefixes from any of their keys, and never the live ones', () => {
    const prefix = newQueuePrefix();
    expect(prefix).toMatch(/^\{adsync-test-[0-9a-z]+-[0-9a-f]{8}\}$/);
    expect(staleQueuePrefixOf(`${prefix}:refresh:meta`, Date.now(), day)).toBeUndefined();
    expect(staleQueuePrefixOf(`${prefix}:refresh:meta`, Date.now() + 2 * day, day)).toBe(prefix);
    expect(staleQueuePrefixOf('{adsync}:refresh:meta', Date.now() + 2 * day, day)).toBeUndefined();
  });
});
