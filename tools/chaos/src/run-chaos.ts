// One chaos run: its own Postgres and Redis, the fleet as processes, a seeded world, load and faults for
// the plan's window, time to settle, then the checks. Prints a timeline and the figures; returns the
// problems found (none means the run passed). Every process's output goes to test-artifacts/chaos/fleet.log.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatorPlatforms } from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { type AdAccount, createDatabase } from '@adsync/db';
import { createProcessOutput, REPO_ROOT, startManagedProcess } from '@adsync/launcher';
import { addDays, localClock } from '@adsync/spend';
import { freePort } from '@adsync/testing/free-port';
import { Redis } from 'ioredis';
import { startChaosFleet } from './chaos-fleet.ts';
import { type ChaosPlan, SIMULATOR_OPTIONS } from './chaos-plan.ts';
import { type CheckResult, checkEvents, checkJobs, checkRefreshes, checkSpend } from './checks.ts';
import { startEventLoad } from './event-load.ts';
import { META_PIXEL, requestBackfills, seedChaosWorld, TIKTOK_PIXEL } from './seed.ts';
import { startChaosServices } from './services.ts';
import { readBacklog, waitUntilSettled } from './settle.ts';

const QUEUE_PREFIX = '{adsync-chaos}';
const LOG_DIR = join(REPO_ROOT, 'test-artifacts', 'chaos');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded generator (mulberry32), so a failing run's kill order can be replayed with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

async function tokenRequestsAnswered(simulatorUrl: string): Promise<number> {
  const { counts } = (await (await fetch(`${simulatorUrl}/_control/requests`)).json()) as {
    counts: Record<string, number>;
  };
  return Object.entries(counts)
    .filter(([route]) => /token.* 200$/.test(route))
    .reduce((sum, [, count]) => sum + count, 0);
}

export async function runChaos(plan: ChaosPlan, seed: number, print: (line: string) => void): Promise<CheckResult[]> {
  const runId = randomBytes(4).toString('hex');
  const random = seededRandom(seed);
  await mkdir(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, 'fleet.log');
  const log = createWriteStream(logFile);
  const output = createProcessOutput({ appNames: [], colour: false, stdout: log, stderr: log });
  const dataDir = await mkdtemp(join(tmpdir(), 'adsync-chaos-'));
  // Run as root, the embedded Postgres runs as the postgres user, which must reach its folder inside.
  await chmod(dataDir, 0o755);
  const started = Date.now();
  const at = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s]`;
  const say = (line: string) => print(`${at()} ${line}`);

  say(`chaos run ${runId}: ${plan.name} plan, seed ${seed}; every process's output goes to ${logFile}`);
  const services = await startChaosServices({ dataDir, env: process.env, output });
  say(
    `own Postgres at ${new URL(services.databaseUrl).host}, own Redis (AOF on) at ${new URL(services.redisUrl).host}`,
  );
  const [gatewayPort, simulatorPort] = [await freePort(), await freePort()];
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
  const encryptionKey = randomBytes(32);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX,
    ENCRYPTION_KEYS: `chaos:${encryptionKey.toString('base64')}`,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_METRICS_PORT: '0',
    PUBLIC_BASE_URL: gatewayUrl,
    SIMULATOR_HOST: '127.0.0.1',
    SIMULATOR_PORT: String(simulatorPort),
    SIMULATOR_URL: simulatorUrl,
    SIMULATOR_OPTIONS: JSON.stringify(SIMULATOR_OPTIONS),
    WORKER_HEALTH_PORT: '0',
    REFRESH_SWEEP_EVERY_SECONDS: '2',
    REFRESH_MARGIN_SECONDS: '10',
    SPEND_HOURLY_EVERY_SECONDS: '60',
    EVENTS_LINGER_MS: '100',
  };

  const migrate = startManagedProcess({
    name: 'migrate',
    command: process.execPath,
    args: ['packages/db/src/cli/migrate.ts'],
    cwd: REPO_ROOT,
    env,
    output,
  });
  const migrated = await migrate.exited;
  if (migrated.code !== 0) throw new Error(`migrations failed (${migrate.describeExit()}); see ${logFile}`);

  const fleet = await startChaosFleet({ env, output, gatewayUrl, simulatorUrl });
  const db = createDatabase({ url: services.databaseUrl, poolMax: 4, applicationName: 'adsync-chaos' });
  const redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
  const keyring = createKeyring([{ id: 'chaos', key: encryptionKey }]);
  const platforms = simulatorPlatforms(simulatorUrl);
  try {
    const world = await seedChaosWorld({
      db,
      gatewayUrl,
      platforms,
      keyring,
      refreshingPerPlatform: plan.refreshingConnectionsPerPlatform,
    });
    say(
      `seeded: a storefront with a Meta and a TikTok pixel, ${world.spendAccounts.length} ad accounts for spend, ` +
        `${world.refreshing.length} connections with 40-second tokens`,
    );
    const tokenRequestsBefore = await tokenRequestsAnswered(simulatorUrl);

    // ---- the chaos window ----
    const chaosStarted = Date.now();
    const load = startEventLoad({
      gatewayUrl,
      apiKey: world.storefront.apiKey,
      runId,
      eventsPerRequest: plan.eventsPerRequest,
      requestsPerSecond: plan.requestsPerSecond,
    });
    const backfilled = world.spendAccounts.map((account: AdAccount) => {
      const today = localClock(Date.now(), account.timezone).date;
      return { account, from: addDays(today, -(plan.backfillDays - 1)), to: addDays(today, -1) };
    });
    const backfillJobs = await requestBackfills(gatewayUrl, world, plan.backfillDays);
    say(
      `load on: ${plan.requestsPerSecond} requests/s of ${plan.eventsPerRequest} events; ${backfillJobs} backfill jobs queued`,
    );

    const killedAt: number[] = [];
    const killer = setInterval(() => {
      killedAt.push(Date.now());
      say(`SIGKILL ${fleet.killRandomWorker(random)}`);
    }, plan.killEveryMs);
    const faults = [
      ...plan.redisRestartsAtMs.map((atMs) => ({
        atMs,
        run: async () => {
          const downAt = Date.now();
          await services.restartRedis();
          say(`Redis restarted (down ${((Date.now() - downAt) / 1000).toFixed(1)} s)`);
        },
      })),
      ...plan.postgresStopsAtMs.flatMap((atMs) => [
        {
          atMs,
          run: async () => {
            await services.stopPostgres();
            say(`Postgres stopped for ${plan.postgresDownMs / 1000} s`);
          },
        },
        {
          atMs: atMs + plan.postgresDownMs,
          run: async () => {
            await services.startPostgres();
            say('Postgres started again');
          },
        },
      ]),
    ].sort((a, b) => a.atMs - b.atMs);
    for (const fault of faults) {
      await sleep(chaosStarted + fault.atMs - Date.now());
      await fault.run();
    }
    await sleep(chaosStarted + plan.chaosMs - Date.now());
    clearInterval(killer);
    const events = await load.stop();
    say(`faults and load stopped; ${events.accepted.size} events accepted; waiting for the fleet to settle`);

    // ---- settle, then check ----
    const settled = await waitUntilSettled(() => readBacklog(redis, db, QUEUE_PREFIX), plan.settleTimeoutMs);
    say(settled.settled ? 'settled' : `not settled after ${plan.settleTimeoutMs / 1000} s`);
    const settledAt = Date.now();
    const tokenRequests = (await tokenRequestsAnswered(simulatorUrl)) - tokenRequestsBefore;
    const fleetFigures = fleet.figures();
    // The checks refresh each connection once more themselves: the fleet must not be refreshing it too.
    await fleet.stopApps();
    const results: CheckResult[] = [
      checkJobs(settled),
      await checkEvents(simulatorUrl, db, events, { meta: META_PIXEL, tiktok: TIKTOK_PIXEL }),
      await checkRefreshes(db, platforms, keyring, world.refreshing, {
        tokenRequestsDuringRun: tokenRequests,
        settledAt,
        simulatorUrl,
        killedAt,
      }),
      await checkSpend(db, simulatorUrl, backfilled),
      {
        name: 'processes',
        figures: {
          'worker processes SIGKILLed': fleetFigures.killed,
          'Redis restarts': plan.redisRestartsAtMs.length,
          'Postgres outages': `${plan.postgresStopsAtMs.length} × ${plan.postgresDownMs / 1000} s`,
          'processes that stopped on their own': fleetFigures.stoppedOnTheirOwn.length,
        },
        problems: fleetFigures.stoppedOnTheirOwn.map((stop) => `${stop.name} stopped on its own (${stop.exit})`),
      },
    ];
    return results;
  } finally {
    redis.disconnect();
    await db.destroy();
    await fleet.stop();
    await services.close();
    await rm(dataDir, { recursive: true, force: true });
    await new Promise((resolve) => log.end(resolve));
  }
}
