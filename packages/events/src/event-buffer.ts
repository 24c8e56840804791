// Accepted events wait in Redis, per destination, until a delivery job sends them. Keys (all under the
// queue prefix, whose hash tag keeps them in one Redis Cluster slot with the queues):
//   capi:<destination>:seen:<event id>  dedup marker, expires after the platforms' dedup window
//   capi:<destination>:events           hash: event id → queued event (JSON)
//   capi:<destination>:pending          list: event ids not yet in a delivery batch, oldest first
//   capi:<destination>:batches          hash: batch number → its event ids (JSON), until the batch is done
//   capi:<destination>:claim            the batch being handed to a delivery job (survives a crash)
//   capi:<destination>:armed            set while a flush is scheduled, so ingest schedules one at a time
//   capi:destinations                   set of destinations that may have pending events (the safety tick)
// An event leaves the hash only once it was delivered or dead-lettered: nothing accepted is lost if a
// worker dies mid-delivery (its job is retried and sends what is still there). Delivery jobs carry only
// the batch number: the brand's event ids are free text and stay out of job data.

import { whenConnected } from '@adsync/queues';
import type { Redis } from 'ioredis';
import { groupCalls } from './group-calls.ts';
import type { QueuedEvent } from './platform-events.ts';

// Stores one request's events for all of the tenant's destinations in one call (one round trip per request).
// KEYS: the destinations set, then per destination: events, pending, armed, then one seen key per event.
// ARGV: dedup seconds, armed ms, then per destination: its id, its event count, then (event id, payload) per
// event. Returns, per destination, one flag per event (1 accepted, 0 duplicate), then 1 if this call armed
// that destination's flush.
const ADD_EVENTS = `
local results = {}
local key = 2
local arg = 3
while arg <= #ARGV do
  local destination = ARGV[arg]
  local count = tonumber(ARGV[arg + 1])
  local events, pending, armed = KEYS[key], KEYS[key + 1], KEYS[key + 2]
  for i = 1, count do
    local id = ARGV[arg + i * 2]
    if redis.call('set', KEYS[key + 2 + i], '1', 'NX', 'EX', ARGV[1]) then
      redis.call('hset', events, id, ARGV[arg + 1 + i * 2])
      redis.call('rpush', pending, id)
      results[#results + 1] = 1
    else
      results[#results + 1] = 0
    end
  end
  redis.call('sadd', KEYS[1], destination)
  if redis.call('set', armed, '1', 'NX', 'PX', ARGV[2]) then results[#results + 1] = 1 else results[#results + 1] = 0 end
  key = key + 3 + count
  arg = arg + 2 + count * 2
end
return results`;

// Puts events back (a dead-letter replay): no dedup check, they were accepted once already.
// KEYS: events, pending, armed, destinations set. ARGV: armed ms, destination id, then (event id, payload).
const REQUEUE_EVENTS = `
for i = 3, #ARGV, 2 do
  redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('rpush', KEYS[2], ARGV[i])
end
redis.call('sadd', KEYS[4], ARGV[2])
if redis.call('set', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0`;

// KEYS: pending, claim, batch sequence, batches. ARGV: max events. Returns the batch number, or nil when
// idle. An unfinished claim (its flush died before handing it over) is returned again, unchanged.
const CLAIM_BATCH = `
local existing = redis.call('get', KEYS[2])
if existing then return tonumber(existing) end
local ids = redis.call('lrange', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return nil end
redis.call('ltrim', KEYS[1], #ids, -1)
local batch = redis.call('incr', KEYS[3])
redis.call('hset', KEYS[4], batch, cjson.encode(ids))
redis.call('set', KEYS[2], batch)
return batch`;

// KEYS: pending, claim, events, destinations set. ARGV: destination id. Forgets an idle destination.
const FORGET_IF_IDLE = `
if redis.call('llen', KEYS[1]) == 0 and redis.call('exists', KEYS[2]) == 0 and redis.call('hlen', KEYS[3]) == 0 then
  redis.call('srem', KEYS[4], ARGV[1])
  return 1
end
return 0`;

export interface DestinationEvents {
  destinationId: string;
  events: readonly QueuedEvent[];
}

export interface EventBufferOptions {
  /** The queue prefix (its hash tag keeps every key in the queues' Redis Cluster slot). */
  prefix: string;
  /** How long an event id is remembered for dedup (the platforms dedup over 48 hours). */
  dedupSeconds: number;
  /** How long ingest waits for more events before a batch is formed. */
  lingerMs: number;
}

export interface EventBuffer {
  /**
   * Stores, per destination, the events it has not seen before, in one atomic call. Returns, per destination
   * and in order, whether each event was accepted (false: duplicate) and whether this call armed its flush.
   */
  add(stores: readonly DestinationEvents[]): Promise<StoreOutcome[]>;
  /** Puts dead-lettered events back for delivery. */
  requeue(destinationId: string, events: readonly QueuedEvent[]): Promise<{ armed: boolean }>;
  /** The number of the next batch of up to `max` pending events, or the unfinished claim of a flush that died. */
  claim(destinationId: string, max: number): Promise<number | undefined>;
  /** The claim was handed to a delivery job. */
  releaseClaim(destinationId: string): Promise<void>;
  /** A flush is running: the next ingest schedules another. */
  disarm(destinationId: string): Promise<void>;
  /** The batch's events still waiting (delivered or dead-lettered ones are gone). */
  load(destinationId: string, batch: number): Promise<QueuedEvent[]>;
  /** Every event of the batch was delivered or dead-lettered. */
  finishBatch(destinationId: string, batch: number): Promise<void>;
  /** Delivered or dead-lettered: forget them. */
  remove(destinationId: string, eventIds: readonly string[]): Promise<void>;
  /** Destinations that may have pending events. */
  destinationsWithWork(): Promise<string[]>;
  /** Whether a destination has pending events or an unfinished claim; forgets it when it has neither. */
  hasPendingWork(destinationId: string): Promise<boolean>;
  /** Events accepted and not yet delivered or dead-lettered, including those in delivery batches. */
  waitingCount(destinationId: string): Promise<number>;
}

/** The buffer's options from a process's configuration (the gateway's and worker-capi's alike). */
export function eventBufferOptions(config: {
  QUEUE_PREFIX: string;
  EVENTS_DEDUP_HOURS: number;
  EVENTS_LINGER_MS: number;
}): EventBufferOptions {
  return {
    prefix: config.QUEUE_PREFIX,
    dedupSeconds: config.EVENTS_DEDUP_HOURS * 3600,
    lingerMs: config.EVENTS_LINGER_MS,
  };
}

type ScriptedRedis = Redis & {
  adsyncAddEvents(numberOfKeys: number, keys: string[], values: (string | number)[]): Promise<number[]>;
  adsyncRequeueEvents(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
  adsyncClaimBatch(numberOfKeys: number, ...args: (string | number)[]): Promise<number | null>;
  adsyncForgetIfIdle(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
};

function withScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.adsyncAddEvents !== 'function') {
    redis.defineCommand('adsyncAddEvents', { lua: ADD_EVENTS });
    redis.defineCommand('adsyncRequeueEvents', { lua: REQUEUE_EVENTS });
    redis.defineCommand('adsyncClaimBatch', { lua: CLAIM_BATCH });
    redis.defineCommand('adsyncForgetIfIdle', { lua: FORGET_IF_IDLE });
  }
  return scripted;
}

/** At most this many events (over all destinations) in one call of the add script, unless one request has more. */
const MAX_EVENTS_PER_CALL = 2_000;

type StoreOutcome = { accepted: boolean[]; armed: boolean };

/** Armed flags expire so a flush lost between arming and enqueueing (a crash) is rescheduled by the next ingest. */
const ARMED_GRACE_MS = 5_000;

export function createEventBuffer(redis: Redis, options: EventBufferOptions): EventBuffer {
  const scripted = withScripts(redis);
  const base = (destinationId: string) => `${options.prefix}:capi:${destinationId}`;
  const keys = (destinationId: string) => ({
    events: `${base(destinationId)}:events`,
    pending: `${base(destinationId)}:pending`,
    claim: `${base(destinationId)}:claim`,
    batches: `${base(destinationId)}:batches`,
    sequence: `${base(destinationId)}:batch-seq`,
    armed: `${base(destinationId)}:armed`,
    seen: (eventId: string) => `${base(destinationId)}:seen:${eventId}`,
  });
  const destinationsKey = `${options.prefix}:capi:destinations`;
  const armedMs = options.lingerMs + ARMED_GRACE_MS;

  /** One script call for the stores of many requests; returns each store's outcome, in order. */
  const addInOneCall = async (stores: readonly DestinationEvents[]): Promise<StoreOutcome[]> => {
    const nonEmpty = stores.filter((store) => store.events.length > 0);
    if (nonEmpty.length === 0) return stores.map(() => ({ accepted: [], armed: false }));
    await whenConnected(redis);
    const keyArgs: string[] = [destinationsKey];
    const valueArgs: (string | number)[] = [options.dedupSeconds, armedMs];
    for (const { destinationId, events } of nonEmpty) {
      const k = keys(destinationId);
      keyArgs.push(k.events, k.pending, k.armed);
      valueArgs.push(destinationId, events.length);
      for (const event of events) {
        keyArgs.push(k.seen(event.eventId));
        valueArgs.push(event.eventId, JSON.stringify(event));
      }
    }
    // Arrays, not spread arguments: ioredis flattens them, and spreading thousands of arguments is slow.
    const replies = await scripted.adsyncAddEvents(keyArgs.length, keyArgs, valueArgs);
    let next = 0;
    const outcomes = new Map<DestinationEvents, StoreOutcome>();
    for (const store of nonEmpty) {
      const accepted = replies.slice(next, next + store.events.length).map((flag) => flag === 1);
      next += store.events.length;
      outcomes.set(store, { accepted, armed: replies[next] === 1 });
      next += 1;
    }
    return stores.map((store) => outcomes.get(store) ?? { accepted: [], armed: false });
  };

  // Requests handled in the same turn share one call (group commit); each still gets its own outcomes.
  const addGrouped = groupCalls(
    async (requests: (readonly DestinationEvents[])[]) => {
      const outcomes = await addInOneCall(requests.flat());
      let next = 0;
      return requests.map((stores) => {
        const own = outcomes.slice(next, next + stores.length);
        next += stores.length;
        return own;
      });
    },
    {
      weight: (stores) => stores.reduce((sum, store) => sum + store.events.length, 0),
      maxWeight: MAX_EVENTS_PER_CALL,
    },
  );

  return {
    add: addGrouped,
    async requeue(destinationId, events) {
      if (events.length === 0) return { armed: false };
      await whenConnected(redis);
      const k = keys(destinationId);
      const args: (string | number)[] = [k.events, k.pending, k.armed, destinationsKey, armedMs, destinationId];
      for (const event of events) args.push(event.eventId, JSON.stringify(event));
      return { armed: (await scripted.adsyncRequeueEvents(4, ...args)) === 1 };
    },
    async claim(destinationId, max) {
      await whenConnected(redis);
      const k = keys(destinationId);
      const batch = await scripted.adsyncClaimBatch(4, k.pending, k.claim, k.sequence, k.batches, max);
      return batch === null ? undefined : batch;
    },
    async releaseClaim(destinationId) {
      await redis.del(keys(destinationId).claim);
    },
    async disarm(destinationId) {
      await whenConnected(redis);
      await redis.del(keys(destinationId).armed);
    },
    async load(destinationId, batch) {
      await whenConnected(redis);
      const k = keys(destinationId);
      const ids = await redis.hget(k.batches, String(batch));
      const eventIds = ids === null ? [] : (JSON.parse(ids) as string[] | Record<string, never>);
      if (!Array.isArray(eventIds) || eventIds.length === 0) return [];
      const values = await redis.hmget(k.events, ...eventIds);
      return values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as QueuedEvent]));
    },
    async finishBatch(destinationId, batch) {
      await redis.hdel(keys(destinationId).batches, String(batch));
    },
    async remove(destinationId, eventIds) {
      if (eventIds.length === 0) return;
      await redis.hdel(keys(destinationId).events, ...eventIds);
    },
    async destinationsWithWork() {
      await whenConnected(redis);
      return redis.smembers(destinationsKey);
    },
    async hasPendingWork(destinationId) {
      await whenConnected(redis);
      const k = keys(destinationId);
      const forgotten = await scripted.adsyncForgetIfIdle(
        4,
        k.pending,
        k.claim,
        k.events,
        destinationsKey,
        destinationId,
      );
      if (forgotten === 1) return false;
      const [pending, claimed] = await Promise.all([redis.llen(k.pending), redis.exists(k.claim)]);
      return pending > 0 || claimed > 0;
    },
    async waitingCount(destinationId) {
      await whenConnected(redis);
      return redis.hlen(keys(destinationId).events);
    },
  };
}
