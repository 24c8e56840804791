// The least work Redis must do per accepted event and destination: create one dedup key (SET NX EX). Measured
// on its own, with the keys named inside one script per thousand so the client costs nothing, it is the
// ceiling no ingest design with exact per-destination dedup in Redis can pass on this machine.

import { deleteKeysWithPrefix } from '@adsync/queues';
import type { Redis } from 'ioredis';

// KEYS: a key name prefix. ARGV: first number, count, TTL seconds.
const CREATE_KEYS = `
local first = tonumber(ARGV[1])
for i = first, first + tonumber(ARGV[2]) - 1 do
  redis.call('set', KEYS[1] .. i, '1', 'NX', 'EX', ARGV[3])
end
return 0`;

/** Dedup keys Redis creates per second (its own work only); the keys are deleted afterwards. */
export async function dedupKeysPerSecond(redis: Redis, prefix: string, keys = 400_000): Promise<number> {
  const base = `${prefix}:floor:`;
  const perCall = 1_000;
  const started = performance.now();
  for (let first = 0; first < keys; first += perCall) {
    await redis.eval(CREATE_KEYS, 1, base, first, perCall, 3_600);
  }
  const seconds = (performance.now() - started) / 1000;
  await deleteKeysWithPrefix(redis, base);
  return keys / seconds;
}
