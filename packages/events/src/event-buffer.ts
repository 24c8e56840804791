// Accepted events wait in Redis, per destination, until a delivery job sends them. Keys (all under the
// queue prefix, whose hash tag keeps them in one Redis Cluster slot with the queues):
//   capi:<destination>:seen:<event id>  dedup marker, expires after the platforms' dedup window
//   capi:<destination>:pending          list of chunks not yet in a delivery batch, oldest first; a chunk is up
//                                       to CHUNK_EVENTS queued events of one request: `<count>[<event>,…]`
//   capi:<destination>:waiting          count of events accepted and not yet delivered or dead-lettered
//   capi:<destination>:batches          hash: batch number → its events (a JSON array), until the batch is done
//   capi:<destination>:done:<batch>     set: ids of the batch's events already delivered or dead-lettered
//   capi:<destination>:claim            the batch being handed to a delivery job (survives a crash)
//   capi:<destination>:armed            set while a flush is scheduled, so ingest schedules one at a time
//   capi:destinations                   set of destinations that may have pending events (the safety tick)
// Ingest costs Redis one SET per event and one push per chunk: at 100-event requests, per-event list and
// hash entries tripled Redis's work, which was the ingest bottleneck. A batch's events stay until each was
// delivered or dead-lettered: nothing accepted is lost if a worker dies mid-delivery (its job is retried and
// sends what is not done). Delivery jobs carry only the batch number: the brand's event ids are free text and
// stay out of job data.

import { whenConnected } from '@adsync/queues';
import type { Redis } from 'ioredis';
import { groupCalls } from './group-calls.ts';
import type { QueuedEvent } from './platform-events.ts';

// Pushes queued events (JSON texts) as chunks of at most `size`: `<count>[e1,e2,…]`.
const PUSH_CHUNKS = `
local function push_chunks(pending, events, size)
  local entries = {}
  for first = 1, #events, size do
    local last = math.min(first + size - 1, #events)
    entries[#entries + 1] = (last - first + 1) .. '[' .. table.concat(events, ',', first, last) .. ']'
  end
  if #entries > 0 then redis.call('rpush', pending, unpack(entries)) end
end
`;

// Stores the events of one or more requests for their destinations in one call (group commit). Each event's
// id and text are sent once, however many destinations it goes to, and its seen keys are named here from the
// destination's seen prefix: they carry the queue prefix's hash tag, so they sit in the slot of the declared
// keys (BullMQ's scripts name job keys the same way). Sending a full key per event and destination cost the
// gateway more than the rest of ingest.
// KEYS: the destinations set, then per destination store: pending, waiting, armed.
// ARGV: dedup seconds, armed ms, chunk size, the number of events N, N event ids, N event texts (JSON), then
// per store: destination id, its seen-key prefix, its event count, then each event's position (1..N).
// Returns, per store, one flag per event (1 accepted, 0 duplicate), then 1 if this call armed its flush.
const ADD_EVENTS = `${PUSH_CHUNKS}
local results = {}
local size = tonumber(ARGV[3])
local events = tonumber(ARGV[4])
local ids, texts = 4, 4 + events
local key = 2
local arg = 5 + events * 2
while arg <= #ARGV do
  local destination, seen = ARGV[arg], ARGV[arg + 1]
  local count = tonumber(ARGV[arg + 2])
  local pending, waiting, armed = KEYS[key], KEYS[key + 1], KEYS[key + 2]
  local accepted = {}
  for i = 1, count do
    local at = tonumber(ARGV[arg + 2 + i])
    if redis.call('set', seen .. ARGV[ids + at], '1', 'NX', 'EX', ARGV[1]) then
      accepted[#accepted + 1] = ARGV[texts + at]
      results[#results + 1] = 1
    else
      results[#results + 1] = 0
    end
  end
  if #accepted > 0 then
    push_chunks(pending, accepted, size)
    redis.call('incrby', waiting, #accepted)
  end
  redis.call('sadd', KEYS[1], destination)
  if redis.call('set', armed, '1', 'NX', 'PX', ARGV[2]) then results[#results + 1] = 1 else results[#results + 1] = 0 end
  key = key + 3
  arg = arg + 3 + count
end
return results`;

// Puts events back (a dead-letter replay): no dedup check, they were accepted once already.
// KEYS: pending, waiting, armed, destinations set. ARGV: armed ms, destination id, chunk size, queued events.
const REQUEUE_EVENTS = `${PUSH_CHUNKS}
local events = {}
for i = 4, #ARGV do events[#events + 1] = ARGV[i] end
push_chunks(KEYS[1], events, tonumber(ARGV[3]))
redis.call('incrby', KEYS[2], #events)
redis.call('sadd', KEYS[4], ARGV[2])
if redis.call('set', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0`;

// KEYS: pending, claim, batch sequence, batches. ARGV: max events. Takes whole chunks, oldest first, up to
// max events (always at least one chunk). Returns the batch number, or nil when idle. An unfinished claim
// (its flush died before handing it over) is returned again, unchanged.
const CLAIM_BATCH = `
local existing = redis.call('get', KEYS[2])
if existing then return tonumber(existing) end
local max = tonumber(ARGV[1])
local parts = {}
local total = 0
while total < max do
  local chunk = redis.call('lindex', KEYS[1], 0)
  if not chunk then break end
  local digits = string.match(chunk, '^%d+')
  local count = tonumber(digits)
  if total > 0 and total + count > max then break end
  redis.call('lpop', KEYS[1])
  parts[#parts + 1] = string.sub(chunk, #digits + 2, -2)
  total = total + count
end
if total == 0 then return nil end
local batch = redis.call('incr', KEYS[3])
redis.call('hset', KEYS[4], batch, '[' .. table.concat(parts, ',') .. ']')
redis.call('set', KEYS[2], batch)
return batch`;

// KEYS: the batch's done set, waiting. ARGV: event ids. Marks them done once; the count drops once per event.
// Returns how many were newly marked (a retried job's repeats are not), so delivered events count once.
const MARK_DONE = `
local added = redis.call('sadd', KEYS[1], unpack(ARGV))
redis.call('decrby', KEYS[2], added)
return added`;

// KEYS: pending, claim, batches, destinations set. ARGV: destination id. Forgets an idle destination.
const FORGET_IF_IDLE = `
if redis.call('llen', KEYS[1]) == 0 and redis.call('exists', KEYS[2]) == 0 and redis.call('hlen', KEYS[3]) == 0 then
  redis.call('srem', KEYS[4], ARGV[1])
  return 1
end
return 0`;

/** At most this many events per chunk: a claim takes whole chunks, so this is also the smallest batch step. */
export const CHUNK_EVENTS = 100;

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
  /** Events per chunk: CHUNK_EVENTS, or the batch size when that is smaller. */
  chunkEvents: number;
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
  /**
   * These events of the batch were delivered or dead-lettered: they are not loaded or counted again. Returns
   * how many of them were not marked done before (0 for ids a retried job already removed).
   */
  remove(destinationId: string, batch: number, eventIds: readonly string[]): Promise<number>;
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
  EVENTS_BATCH_SIZE: number;
}): EventBufferOptions {
  return {
    prefix: config.QUEUE_PREFIX,
    dedupSeconds: config.EVENTS_DEDUP_HOURS * 3600,
    lingerMs: config.EVENTS_LINGER_MS,
    chunkEvents: Math.min(CHUNK_EVENTS, config.EVENTS_BATCH_SIZE),
  };
}

type ScriptedRedis = Redis & {
  adsyncAddEvents(numberOfKeys: number, ...keysThenValues: (string | number)[][]): Promise<number[]>;
  adsyncRequeueEvents(numberOfKeys: number, keys: string[], values: (string | number)[]): Promise<number>;
  adsyncClaimBatch(numberOfKeys: number, ...args: (string | number)[]): Promise<number | null>;
  adsyncMarkDone(numberOfKeys: number, keys: string[], eventIds: readonly string[]): Promise<number>;
  adsyncForgetIfIdle(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
};

function withScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.adsyncAddEvents !== 'function') {
    redis.defineCommand('adsyncAddEvents', { lua: ADD_EVENTS });
    redis.defineCommand('adsyncRequeueEvents', { lua: REQUEUE_EVENTS });
    redis.defineCommand('adsyncClaimBatch', { lua: CLAIM_BATCH });
    redis.defineCommand('adsyncMarkDone', { lua: MARK_DONE });
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
    pending: `${base(destinationId)}:pending`,
    waiting: `${base(destinationId)}:waiting`,
    claim: `${base(destinationId)}:claim`,
    batches: `${base(destinationId)}:batches`,
    sequence: `${base(destinationId)}:batch-seq`,
    armed: `${base(destinationId)}:armed`,
    done: (batch: number) => `${base(destinationId)}:done:${batch}`,
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
    const ids: string[] = [];
    const texts: string[] = [];
    const position = new Map<QueuedEvent, number>();
    const storeArgs: (string | number)[] = [];
    for (const { destinationId, events } of nonEmpty) {
      const k = keys(destinationId);
      keyArgs.push(k.pending, k.waiting, k.armed);
      storeArgs.push(destinationId, k.seen(''), events.length);
      for (const event of events) {
        let at = position.get(event);
        if (at === undefined) {
          ids.push(event.eventId);
          at = texts.push(JSON.stringify(event));
          position.set(event, at);
        }
        storeArgs.push(at);
      }
    }
    const header = [options.dedupSeconds, armedMs, options.chunkEvents, ids.length];
    // Arrays, not spread arguments: ioredis flattens them, and spreading thousands of arguments is slow.
    const replies = await scripted.adsyncAddEvents(keyArgs.length, keyArgs, header, ids, texts, storeArgs);
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
      const values: (string | number)[] = [armedMs, destinationId, options.chunkEvents];
      for (const event of events) values.push(JSON.stringify(event));
      const armed = await scripted.adsyncRequeueEvents(4, [k.pending, k.waiting, k.armed, destinationsKey], values);
      return { armed: armed === 1 };
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
      const [events, done] = await Promise.all([redis.hget(k.batches, String(batch)), redis.smembers(k.done(batch))]);
      if (events === null) return [];
      const doneIds = new Set(done);
      return (JSON.parse(events) as QueuedEvent[]).filter((event) => !doneIds.has(event.eventId));
    },
    async finishBatch(destinationId, batch) {
      const k = keys(destinationId);
      await redis.multi().hdel(k.batches, String(batch)).del(k.done(batch)).exec();
    },
    async remove(destinationId, batch, eventIds) {
      if (eventIds.length === 0) return 0;
      const k = keys(destinationId);
      return scripted.adsyncMarkDone(2, [k.done(batch), k.waiting], eventIds);
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
        k.batches,
        destinationsKey,
        destinationId,
      );
      if (forgotten === 1) return false;
      const [pending, claimed] = await Promise.all([redis.llen(k.pending), redis.exists(k.claim)]);
      return pending > 0 || claimed > 0;
    },
    async waitingCount(destinationId) {
      await whenConnected(redis);
      return Math.max(0, Number((await redis.get(keys(destinationId).waiting)) ?? 0));
    },
  };
}
