// Everything Redis holds under a key prefix, read entry by entry as text: a string's value, each field of a
// hash (BullMQ job data, returnvalue, failedReason, stacktrace…), each member of a list, set or sorted set,
// each entry of a stream. For tests that look through all of it: secret scans, tenant-isolation checks.

import type { Redis } from 'ioredis';

export interface RedisEntry {
  key: string;
  type: string;
  /** The hash field, the stream entry id, the member's index in a list; '' for a string or a set member. */
  part: string;
  value: string;
}

/** Bytes as text, one character per byte: nothing is lost, and ASCII (every secret we look for) reads as is. */
const text = (bytes: Buffer): string => bytes.toString('latin1');

async function entriesOf(redis: Redis, key: string, type: string): Promise<RedisEntry[]> {
  const entry = (part: string, value: Buffer | string) => ({
    key,
    type,
    part,
    value: typeof value === 'string' ? value : text(value),
  });
  switch (type) {
    case 'string': {
      const value = await redis.getBuffer(key);
      return value === null ? [] : [entry('', value)];
    }
    case 'hash':
      return Object.entries(await redis.hgetallBuffer(key)).map(([field, value]) => entry(field, value));
    case 'list':
      return (await redis.lrangeBuffer(key, 0, -1)).map((value, index) => entry(String(index), value));
    case 'set':
      return (await redis.smembersBuffer(key)).map((value) => entry('', value));
    case 'zset':
      return (await redis.zrangeBuffer(key, 0, '-1')).map((value) => entry('', value));
    case 'stream':
      return (await redis.xrangeBuffer(key, '-', '+')).map(([id, fields]) =>
        entry(text(id), fields.map(text).join('\n')),
      );
    default:
      // A type we cannot read as text (e.g. a module's): shown so a scan cannot skip it unnoticed.
      return [entry('', `<unreadable ${type}>`)];
  }
}

/** Every entry of every key under `prefix` (keys that expire meanwhile are skipped). */
export async function readRedisEntries(redis: Redis, prefix: string): Promise<{ keys: number; entries: RedisEntry[] }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    // Braces in a queue prefix are literal for SCAN MATCH (only * ? [ ] \ are special).
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const unique = [...new Set(keys)].sort();
  const entries: RedisEntry[] = [];
  for (const key of unique) {
    const type = await redis.type(key);
    if (type === 'none') continue;
    entries.push(...(await entriesOf(redis, key, type)));
  }
  return { keys: unique.length, entries };
}
