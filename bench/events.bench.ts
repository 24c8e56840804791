// Conversion events under load (issue 7), through the real gateway and worker-capi processes:
// - ingest, one event per request: requests/s and p99 at POST /v1/events, beside a bare Fastify route doing no
//   work, driven by the same generator settings in alternating rounds of the same run (medians);
// - ingest, 100 events per request: accepted events/s and p99, beside Redis's floor for the dedup keys alone
//   (and the 100,000 events/s target); both ingest rows give the gateway's own CPU per request or event;
// - delivery: N events (default 100,000) stored first, then worker-capi started; events/s until every one is at
//   the simulator, and the mean batch size, beside raw BullMQ no-op jobs/s in the same run.
// The tenant has a Meta and a TikTok destination, so every accepted event is delivered twice. Delivery runs
// first, on its own: the ingest scenarios' events stay in the buffer undelivered and are removed at the end.
// Needs Postgres and Redis (DATABASE_URL / REDIS_URL, local defaults); leaves nothing behind.
// BENCH_CPU_PROF=<folder> writes a V8 CPU profile of the gateway there (open it in Chrome DevTools).

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { DEV_ENCRYPTION_KEYS, processEnvironment } from '@adsync/config';
import { connectForTest, simulatorPlatforms } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { createTenantWithKey } from '@adsync/db';
import { createEventBuffer, eventBufferOptions } from '@adsync/events';
import { deleteKeysWithPrefix } from '@adsync/queues';
import { sql } from 'kysely';
import { createBenchContext, noopJobsPerSecond, until } from './lib/bench-context.ts';
import { startChildServer } from './lib/child-server.ts';
import { type LoadRequest, type LoadResult, runLoad } from './lib/load.ts';
import { type BenchRow, printTable } from './lib/print-table.ts';
import { dedupKeysPerSecond } from './lib/redis-floor.ts';

const DELIVERY_EVENTS = Number(process.argv[2] ?? 100_000);
const CONNECTIONS = 50;
const DURATION_MS = 5_000;
const WARM_UP_MS = 1_000;
const ROUNDS = 3;
const BATCH_EVENTS = 100;
const TARGET_EVENTS_PER_SECOND = 100_000;
const WORKER_CONCURRENCY = 10;
const LINGER_MS = 250;
const REPO_ROOT = new URL('../', import.meta.url).pathname;
const META_PIXEL = '2000000000000001'; // reached through act_1000000001
const TIKTOK_PIXEL = 'CBENCHPIXEL0001';
const RUN = Date.now().toString(36);

// Platform limits far above what one machine can send: the figure is adsync's own throughput.
const context = await createBenchContext({
  meta: { callsPerAccountPerHour: 1_000_000_000, callsPerAppPerHour: 1_000_000_000 },
  tiktok: { requestsPerSecond: 1_000_000 },
});
const { config, prefix, db, redis } = context;
const rows: BenchRow[] = [];
/** Stops every process this run started (stopping one twice is harmless). */
const stops: (() => Promise<void>)[] = [];
let nextEvent = 0;
let non202 = 0;

interface AppProcess {
  /** What the ready pattern matched in the app's output. */
  ready: RegExpExecArray;
  stop(): Promise<void>;
}

/**
 * Runs an app's real entry point (`apps/<app>/src/main.ts`) in its own process and resolves once its output
 * matches `ready`. Its logs are read and dropped from then on: the app logs what it logs in production.
 */
async function startApp(app: string, environment: Record<string, string>, ready: RegExp): Promise<AppProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF && app === 'gateway'
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      `apps/${app}/src/main.ts`,
    ],
    {
      cwd: REPO_ROOT,
      env: { PATH: processEnvironment().PATH ?? '', ...environment },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  stops.push(stop);
  const output = child.stdout;
  if (output === null) throw new Error('child has no stdout');
  let seen = '';
  const matched = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} was not ready within 30 s:\n${seen}`)), 30_000);
    const early = (code: number | null) => reject(new Error(`${app} exited (${code}) before it was ready:\n${seen}`));
    const read = (chunk: Buffer) => {
      seen += chunk.toString();
      const found = ready.exec(seen);
      if (found === null) return;
      clearTimeout(timer);
      output.off('data', read);
      child.off('exit', early);
      output.resume();
      resolve(found);
    };
    output.on('data', read);
    child.once('exit', early);
  });
  return { ready: matched, stop };
}

/** `count` valid events with ids never used before (dedup is per destination for 48 h). */
function leads(count: number, source: string): { id: string }[] {
  const time = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, () => {
    nextEvent += 1;
    return {
      id: `${RUN}-${source}-${nextEvent}`,
      name: 'Lead',
      time,
      actionSource: 'system_generated',
      user: { email: 'x@example.com' },
    };
  });
}

/** Events and Events API requests the simulator received, per platform route. */
async function eventRequests(): Promise<number> {
  const { counts } = (await (await fetch(`${context.simulatorUrl}/_control/requests`)).json()) as {
    counts: Record<string, number>;
  };
  // Keys come as `<platform> <METHOD> <route>` and again with the status appended; count each request once.
  return Object.entries(counts)
    .filter(([key]) => /^meta POST \S*\/events$/.test(key) || /^tiktok POST \S*\/event\/track\/$/.test(key))
    .reduce((sum, [, count]) => sum + count, 0);
}

async function recorded(pixel: string): Promise<{ receivedAt: number; event: { event_id?: unknown } }[]> {
  const response = await fetch(`${context.simulatorUrl}/_control/events?destination=${pixel}`);
  return ((await response.json()) as { events: { receivedAt: number; event: { event_id?: unknown } }[] }).events;
}

try {
  const databaseName = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(db)).rows[0]?.name;
  const databaseUrl = new URL(config.DATABASE_URL);
  databaseUrl.pathname = `/${databaseName}`;
  const environment = {
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEYS: DEV_ENCRYPTION_KEYS,
    SIMULATOR_URL: context.simulatorUrl,
    PUBLIC_BASE_URL: 'http://adsync.localhost',
    EVENTS_LINGER_MS: String(LINGER_MS),
    // The bench sends with one key far past the per-key default (2,000 requests/s): the limit is set above
    // the load, so every request still pays for its count in Redis, and none is refused.
    RATE_LIMIT_EVENTS: '100000000/1s',
  };

  // A brand with a Meta and a TikTok connection made through the simulator's consent flow, sealed with the
  // keys the apps run with, and one destination on each.
  const { tenant, apiKey } = await createTenantWithKey(db, { name: 'bench events', keyName: 'bench' });
  const platforms = simulatorPlatforms(context.simulatorUrl);
  const keyring = createKeyring(config.ENCRYPTION_KEYS);
  const meta = await connectForTest(db, platforms, 'meta', {
    accounts: ['act_1000000001'],
    tenantId: tenant.id,
    keyring,
  });
  const tiktok = await connectForTest(db, platforms, 'tiktok', { tenantId: tenant.id, keyring });

  const gateway = await startApp(
    'gateway',
    { ...environment, GATEWAY_PORT: '0', GATEWAY_METRICS_PORT: '0' },
    /"url":"(http:\/\/[^"]+)","metricsUrl":"(http:\/\/[^"]+)"/,
  );
  const gatewayUrl = gateway.ready[1] ?? '';
  const gatewayMetricsUrl = gateway.ready[2] ?? '';
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const destinations = [
    { provider: 'meta', pixelId: META_PIXEL, connectionId: meta.connection.id },
    { provider: 'tiktok', pixelId: TIKTOK_PIXEL, connectionId: tiktok.connection.id },
  ];
  const destinationIds: string[] = [];
  for (const destination of destinations) {
    const answer = await post('/v1/events/destinations', destination);
    if (answer.status !== 201) throw new Error(`destination: ${answer.status} ${JSON.stringify(answer.body)}`);
    destinationIds.push(String(answer.body.id));
  }

  // ---- delivery: store N events first (1,000 per request, a few requests at once), so every batch is full ----
  console.log(`storing ${DELIVERY_EVENTS.toLocaleString('en')} events, then delivering them…`);
  const deliveryIds = new Set<string>();
  let queued = 0;
  const store = async () => {
    while (queued < DELIVERY_EVENTS) {
      const events = leads(Math.min(1_000, DELIVERY_EVENTS - queued), 'delivery');
      queued += events.length;
      const answer = await post('/v1/events', { events });
      if (answer.status !== 202 || answer.body.accepted !== events.length) {
        non202 += answer.status === 202 ? 0 : 1;
        throw new Error(`storing events: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
      }
      for (const event of events) deliveryIds.add(event.id);
    }
  };
  await Promise.all(Array.from({ length: 4 }, store));

  const buffer = createEventBuffer(
    redis,
    eventBufferOptions({
      QUEUE_PREFIX: prefix,
      EVENTS_DEDUP_HOURS: 48,
      EVENTS_LINGER_MS: LINGER_MS,
      EVENTS_BATCH_SIZE: 1_000,
    }),
  );
  const requestsBefore = await eventRequests();
  const worker = await startApp(
    'worker-capi',
    {
      ...environment,
      WORKER_HEALTH_PORT: '0',
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      // One brand here: with its default share cap (5 of 10 slots) half the worker would idle, which a fleet of
      // many brands does not.
      TENANT_CONCURRENCY: String(WORKER_CONCURRENCY),
    },
    /worker-capi started/,
  );
  // The clock starts when the worker says it started; it may have claimed its first batch a moment before.
  const deliveryStarted = Date.now();
  // An event leaves the buffer once the platform took it (or it was dead-lettered).
  await until(async () => {
    const waiting = await Promise.all(destinationIds.map((id) => buffer.waitingCount(id)));
    return waiting.every((count) => count === 0);
  }, 10 * 60_000);
  await worker.stop();
  const requests = (await eventRequests()) - requestsBefore;
  let delivered = 0;
  let lastReceivedAt = deliveryStarted;
  let missing = 0;
  let repeated = 0;
  for (const pixel of [META_PIXEL, TIKTOK_PIXEL]) {
    const events = await recorded(pixel);
    const ids = new Set(events.map((entry) => String(entry.event.event_id)));
    for (const entry of events) lastReceivedAt = Math.max(lastReceivedAt, entry.receivedAt);
    delivered += events.length;
    repeated += events.length - ids.size;
    for (const id of deliveryIds) if (!ids.has(id)) missing += 1;
  }
  const deadLettered = await db
    .selectFrom('capi_dead_letters')
    .select(db.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  const deliverySeconds = (lastReceivedAt - deliveryStarted) / 1000;
  // Same concurrency as the worker; the ceiling counts jobs, and one delivery job carries up to 1,000 events.
  const noopPerSecond = await noopJobsPerSecond(context, 20_000, WORKER_CONCURRENCY);
  const deliveryRow: BenchRow = {
    scenario: `delivery of ${DELIVERY_EVENTS.toLocaleString('en')} events × ${destinationIds.length} destinations`,
    figure: delivered / deliverySeconds,
    ceiling: noopPerSecond,
    unit: '/s',
    note:
      `events/s beside BullMQ no-op jobs/s (a delivery job carries up to 1,000 events); ` +
      `mean batch ${Math.round(delivered / Math.max(requests, 1)).toLocaleString('en')} events over ${requests} requests; ` +
      `${deliverySeconds.toFixed(1)} s; ${missing} missing, ${repeated} twice, ${deadLettered.count} dead-lettered`,
  };

  // ---- ingest: the gateway beside a bare Fastify route, same generator settings ----
  // Both servers run throughout and are measured in alternating rounds; each figure is the median round, so a
  // slow moment of a shared machine does not land on one side only.
  console.log(`measuring ingest (${ROUNDS} alternating rounds)…`);
  const bareServer = await startChildServer(new URL('./lib/bare-fastify-server.ts', import.meta.url).pathname);
  stops.push(bareServer.stop);
  const measure = async (
    origin: string,
    request: (n: number, connection: number) => LoadRequest,
    expected: number,
    onBody?: (body: string) => void,
  ): Promise<LoadResult & { cpuPerRequestUs: number }> => {
    const settings = { origin, connections: CONNECTIONS, request, isExpected: (status: number) => status === expected };
    // A warm-up so JIT, connection set-up and the gateway's key and destination caches do not count.
    const warmUp = await runLoad({ ...settings, durationMs: WARM_UP_MS });
    const cpuBefore = origin === gatewayUrl ? await gatewayCpuSeconds() : 0;
    const result = await runLoad({ ...settings, durationMs: DURATION_MS, ...(onBody === undefined ? {} : { onBody }) });
    if (origin !== gatewayUrl) return { ...result, cpuPerRequestUs: Number.NaN };
    non202 += warmUp.errors + result.errors;
    return { ...result, cpuPerRequestUs: (((await gatewayCpuSeconds()) - cpuBefore) * 1e6) / result.requests };
  };
  /** The gateway's own CPU time (its metrics): a figure the other processes on the machine do not skew. */
  const gatewayCpuSeconds = async () => {
    const text = await (await fetch(gatewayMetricsUrl)).text();
    const line = text.split('\n').find((entry) => entry.startsWith('adsync_process_cpu_seconds_total'));
    return Number(line?.split(' ').at(-1));
  };
  const eventsRequest =
    (path: string, count: number) =>
    (_n: number, connection: number): LoadRequest => ({
      method: 'POST',
      path,
      headers,
      body: JSON.stringify({ events: leads(count, `c${connection}`) }),
    });
  let accepted = 0;
  const countAccepted = (body: string) => {
    accepted += Number((JSON.parse(body) as { accepted?: unknown }).accepted ?? 0);
  };

  type Measured = LoadResult & { cpuPerRequestUs: number };
  const rounds: { bare: Measured; single: Measured; batched: Measured & { acceptedPerSecond: number } }[] = [];
  let singleAccepted = 0;
  let singleSent = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const bare = await measure(bareServer.url, eventsRequest('/bare', 1), 200);
    accepted = 0;
    const single = await measure(gatewayUrl, eventsRequest('/v1/events', 1), 202, countAccepted);
    singleAccepted += accepted;
    singleSent += single.requests;
    accepted = 0;
    const batched = await measure(gatewayUrl, eventsRequest('/v1/events', BATCH_EVENTS), 202, countAccepted);
    if (accepted !== batched.requests * BATCH_EVENTS) {
      throw new Error(`${batched.requests * BATCH_EVENTS - accepted} batched events were not accepted`);
    }
    const batchedSeconds = batched.requests / batched.perSecond;
    rounds.push({ bare, single, batched: { ...batched, acceptedPerSecond: accepted / batchedSeconds } });
  }
  await gateway.stop();
  await bareServer.stop();
  // Nothing else runs now: Redis's floor for dedup keys, split over the destinations each event goes to.
  const redisFloor = (await dedupKeysPerSecond(redis, prefix)) / destinationIds.length;
  if (singleAccepted !== singleSent) throw new Error(`${singleSent - singleAccepted} single events were not accepted`);

  const median = <T>(values: T[], by: (value: T) => number): T => {
    const sorted = [...values].sort((a, b) => by(a) - by(b));
    return sorted[Math.floor(sorted.length / 2)] as T;
  };
  const bare = median(
    rounds.map((round) => round.bare),
    (result) => result.perSecond,
  );
  const single = median(
    rounds.map((round) => round.single),
    (result) => result.perSecond,
  );
  const batched = median(
    rounds.map((round) => round.batched),
    (result) => result.acceptedPerSecond,
  );
  const roundRatios = rounds.map((round) => `${Math.round((100 * round.single.perSecond) / round.bare.perSecond)}%`);
  const ratio = single.perSecond / bare.perSecond;
  rows.push(
    {
      scenario: `ingest, 1 event per request (${CONNECTIONS} connections)`,
      figure: single.perSecond,
      ceiling: bare.perSecond,
      unit: 'req/s',
      note:
        `medians of ${ROUNDS} rounds (each round: ${roundRatios.join(', ')}); p99 ${single.p99Ms.toFixed(1)} ms ` +
        `(bare ${bare.p99Ms.toFixed(1)} ms); gateway CPU ${Math.round(single.cpuPerRequestUs)} µs/request; ` +
        `all ${singleSent.toLocaleString('en')} events accepted`,
      target: `≥ 50% of ceiling: ${ratio >= 0.5 ? 'met' : 'MISSED'}`,
    },
    {
      scenario: `ingest, ${BATCH_EVENTS} events per request (${CONNECTIONS} connections)`,
      figure: batched.acceptedPerSecond,
      ceiling: redisFloor,
      unit: 'events/s',
      note:
        `ceiling = Redis alone creating the ${destinationIds.length} dedup keys of each event (SET NX EX, nothing else); ` +
        `median of ${ROUNDS} rounds; p99 ${batched.p99Ms.toFixed(1)} ms; ${batched.perSecond.toFixed(0)} req/s; ` +
        `gateway CPU ${(batched.cpuPerRequestUs / BATCH_EVENTS).toFixed(1)} µs/event; every event accepted`,
      target: `${TARGET_EVENTS_PER_SECOND.toLocaleString('en')} events/s: ${Math.round((100 * batched.acceptedPerSecond) / TARGET_EVENTS_PER_SECOND)}%`,
    },
    deliveryRow,
  );
  printTable(rows);
  console.log(`\nnon-202 answers from POST /v1/events: ${non202} (must be 0)`);
  if (missing > 0) throw new Error(`${missing} accepted events never reached the simulator`);
  if (non202 > 0) throw new Error(`${non202} answers from POST /v1/events were not 202`);
} finally {
  for (const stop of stops) await stop();
  await deleteKeysWithPrefix(redis, prefix);
  await context.close(['capi-events']);
}
