// Brings the local fleet up in order (Postgres, Redis, migrations, dev operator, apps), then takes it down
// in reverse on Ctrl-C or SIGTERM, or as soon as one of its processes dies.

import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Environment, LauncherConfig } from '@adsync/config';
import type { Logger } from '@adsync/logging';
import { formatBanner, publicBaseUrlFor } from './banner.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import type { AppSpec } from './fleet.ts';
import { LauncherError } from './launcher-error.ts';
import { type ManagedProcess, startManagedProcess } from './managed-process.ts';
import { ensureDatabase, probePostgresServer } from './postgres-server.ts';
import { createProcessOutput, type ProcessOutput, type TextSink } from './process-output.ts';
import { createProcessRegistry, type ProcessRegistry } from './process-registry.ts';
import { waitForReady } from './readiness.ts';
import { pingRedis } from './redis-probe.ts';
import { cannotServeLocally, findExecutable, redisUnavailableMessage, startRedisServer } from './redis-server.ts';
import { createStopControl, type StopControl, StopRequested } from './stop-control.ts';
import { connectableHost, describeServer } from './urls.ts';

const MIGRATE_CLI = 'packages/db/src/cli/migrate.ts';
const OPERATOR_CLI = 'packages/db/src/cli/create-operator.ts';
const TENANT_CLI = 'packages/db/src/cli/create-tenant.ts';
const READY_TIMEOUT_MS = 60_000;

export interface LauncherContext {
  config: LauncherConfig;
  /** The launcher's environment; children get it plus the URLs the launcher settled on. */
  env: Environment;
  fleet: readonly AppSpec[];
  repoRoot: string;
  logger: Logger;
  stdout: TextSink;
  stderr: TextSink;
  /** Colour prefixes and the banner (when stdout is a terminal). */
  colour: boolean;
}

interface Run {
  context: LauncherContext;
  output: ProcessOutput;
  registry: ProcessRegistry;
  stop: StopControl;
}

/** From the moment something relies on `child`, its exit is a crash that stops everything. */
function watchForCrash(run: Run, child: ManagedProcess): void {
  void child.exited.then(() => {
    if (run.stop.code() !== undefined) return;
    run.context.logger.error(`${child.name} stopped on its own (${child.describeExit()}); stopping everything`);
    run.stop.request(1);
  });
}

async function checkScriptsExist({ context }: Run): Promise<void> {
  for (const script of [MIGRATE_CLI, OPERATOR_CLI, ...context.fleet.map((app) => app.entry)]) {
    try {
      await access(resolve(context.repoRoot, script));
    } catch {
      throw new LauncherError(`${script} does not exist; is this checkout complete?`);
    }
  }
}

/** The redis-server to start, or undefined when REDIS_URL answers; throws when neither works. */
async function redisServerToStart({ context }: Run, state: 'reachable' | 'unreachable'): Promise<string | undefined> {
  if (state === 'reachable') return undefined;
  const { REDIS_URL } = context.config;
  const where = describeServer(REDIS_URL, 6379);
  const reason = cannotServeLocally(REDIS_URL);
  if (reason !== undefined) {
    throw new LauncherError(
      `Redis is not reachable at ${where}, and the launcher cannot start one there because ${reason}. ` +
        'Start that Redis, or unset REDIS_URL to use a local one.',
    );
  }
  const executable = await findExecutable('redis-server', context.env.PATH);
  if (executable === undefined) throw new LauncherError(redisUnavailableMessage(where, 'redis-server is not on PATH'));
  return executable;
}

/** DATABASE_URL when its server answers (creating its database if needed), else an embedded Postgres's URL. */
async function providePostgres(run: Run, state: 'reachable' | 'unreachable'): Promise<string> {
  const { config, logger } = run.context;
  if (state === 'reachable') {
    const created = await run.stop.step(ensureDatabase(config.DATABASE_URL));
    logger.info(
      `Postgres: using the server at ${describeServer(config.DATABASE_URL, 5432, true)} (DATABASE_URL)` +
        (created ? '; created the database' : ''),
    );
    return config.DATABASE_URL;
  }
  const dataDir = join(resolve(run.context.repoRoot, config.ADSYNC_DATA_DIR), 'postgres');
  logger.info(
    `Postgres: nothing answers at ${describeServer(config.DATABASE_URL, 5432)}; starting an embedded Postgres on ` +
      `127.0.0.1:${config.EMBEDDED_POSTGRES_PORT} with its data in ${dataDir}`,
  );
  const embedded = await run.stop.step(
    startEmbeddedPostgres({
      dataDir,
      port: config.EMBEDDED_POSTGRES_PORT,
      env: { ...run.context.env },
      output: run.output,
      onSpawn: run.registry.addService,
    }),
  );
  run.registry.markReady(embedded.process);
  watchForCrash(run, embedded.process);
  logger.info(
    `Postgres: using the embedded Postgres at ${describeServer(embedded.databaseUrl, 5432, true)}` +
      (embedded.initialised ? ' (new data folder)' : ''),
  );
  return embedded.databaseUrl;
}

async function provideRedis(run: Run, executable: string | undefined): Promise<void> {
  const { config, logger } = run.context;
  const where = describeServer(config.REDIS_URL, 6379);
  if (executable === undefined) {
    logger.info(`Redis: using the server at ${where} (REDIS_URL)`);
    return;
  }
  const dataDir = join(resolve(run.context.repoRoot, config.ADSYNC_DATA_DIR), 'redis');
  logger.info(`Redis: nothing answers at ${where}; starting ${executable} there with its data in ${dataDir}`);
  const server = await run.stop.step(
    startRedisServer({
      executable,
      redisUrl: config.REDIS_URL,
      dataDir,
      output: run.output,
      onSpawn: run.registry.addService,
    }),
  );
  run.registry.markReady(server);
  watchForCrash(run, server);
  logger.info(`Redis: using the redis-server the launcher started at ${where}`);
}

async function runCli(run: Run, name: string, args: readonly string[], env: NodeJS.ProcessEnv, failure: string) {
  const cli = startManagedProcess({
    name,
    command: process.execPath,
    args,
    cwd: run.context.repoRoot,
    env,
    output: run.output,
  });
  run.registry.addStep(cli);
  const exit = await run.stop.step(cli.exited);
  if (exit.code !== 0) throw new LauncherError(`${failure} (${cli.describeExit()}); see the ${name} lines above.`);
}

async function boot(run: Run): Promise<void> {
  const { config, env } = run.context;
  await checkScriptsExist(run);
  const [postgresState, redisState] = await run.stop.step(
    Promise.all([probePostgresServer(config.DATABASE_URL), pingRedis(config.REDIS_URL)]),
  );
  // Settled before anything starts, so a missing Redis fails fast instead of after an initdb.
  const redisServer = await redisServerToStart(run, redisState);
  const databaseUrl = await providePostgres(run, postgresState);
  await provideRedis(run, redisServer);

  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: config.REDIS_URL,
    PUBLIC_BASE_URL: publicBaseUrlFor(config, env),
    // The gateway and workers reach the simulator where the launcher starts it.
    SIMULATOR_URL: env.SIMULATOR_URL || `http://${connectableHost(config.SIMULATOR_HOST)}:${config.SIMULATOR_PORT}`,
    ...(run.context.colour ? { FORCE_COLOR: '1' } : {}),
  };
  await runCli(run, 'migrate', [MIGRATE_CLI], childEnv, 'Migrations failed');
  const operatorArgs = ['--email', config.DEV_OPERATOR_EMAIL, '--role', 'admin', '--token', config.DEV_OPERATOR_TOKEN];
  await runCli(run, 'operator', [OPERATOR_CLI, ...operatorArgs], childEnv, 'Creating the dev operator failed');
  const tenantArgs = ['--name', 'Local brand', '--key-name', 'dev', '--api-key', config.DEV_TENANT_API_KEY];
  await runCli(run, 'tenant', [TENANT_CLI, ...tenantArgs], childEnv, 'Creating the dev tenant failed');

  for (const app of run.context.fleet) {
    const child = startManagedProcess({
      name: app.name,
      command: process.execPath,
      args: [app.entry],
      cwd: run.context.repoRoot,
      env: childEnv,
      output: run.output,
    });
    run.registry.addApp(child);
    watchForCrash(run, child);
  }

  const readyUrl = `http://127.0.0.1:${config.GATEWAY_PORT}/readyz`;
  const shouldGiveUp = () => run.stop.code() !== undefined;
  if (!(await run.stop.step(waitForReady({ url: readyUrl, timeoutMs: READY_TIMEOUT_MS, shouldGiveUp })))) {
    throw new LauncherError(
      `The gateway did not answer ${readyUrl} with 200 within 60 s; see the gateway lines above.`,
    );
  }
  run.context.stdout.write(
    formatBanner({
      publicBaseUrl: publicBaseUrlFor(config, env),
      operatorEmail: config.DEV_OPERATOR_EMAIL,
      operatorToken: config.DEV_OPERATOR_TOKEN,
      tenantApiKey: config.DEV_TENANT_API_KEY,
      simulatorUrl: `http://${config.SIMULATOR_HOST}:${config.SIMULATOR_PORT}`,
      metricsUrl: `http://${connectableHost(config.GATEWAY_METRICS_HOST)}:${config.GATEWAY_METRICS_PORT}/metrics`,
      colour: run.context.colour,
    }),
  );
}

/** Runs the fleet until it is stopped; resolves with the launcher's exit code. */
export async function runLauncher(context: LauncherContext): Promise<number> {
  const { logger } = context;
  const run: Run = {
    context,
    output: createProcessOutput({
      appNames: context.fleet.map((app) => app.name),
      colour: context.colour,
      stdout: context.stdout,
      stderr: context.stderr,
    }),
    registry: createProcessRegistry(),
    stop: createStopControl(logger),
  };
  let code: number;
  try {
    await boot(run);
    code = await run.stop.requested;
  } catch (error) {
    if (error instanceof StopRequested) {
      code = run.stop.code() ?? 0;
    } else if (error instanceof LauncherError) {
      logger.error(error.message);
      code = 1;
    } else {
      logger.error({ err: error }, 'The launcher failed unexpectedly');
      code = 1;
    }
    run.stop.request(code);
  }
  try {
    await run.registry.stopAll(logger);
  } finally {
    run.stop.dispose();
  }
  if (run.registry.startedAnything()) logger.info('Everything the launcher started has stopped');
  return code;
}
