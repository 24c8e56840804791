// The chaos run's own Postgres (embedded) and Redis (redis-server, AOF on), on free ports and in a folder
// of their own: the suite stops and restarts them, which it must never do to the machine's shared ones.

import { join } from 'node:path';
import {
  findExecutable,
  type ManagedProcess,
  type ProcessOutput,
  startEmbeddedPostgres,
  startRedisServer,
  stopManagedProcess,
} from '@adsync/launcher';
import { freePort } from '@adsync/testing/free-port';

export interface ChaosServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** SIGTERM (Redis writes its AOF and exits), then the same server again on the same data. */
  restartRedis(): Promise<void>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosServices(options: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  output: ProcessOutput;
}): Promise<ChaosServices> {
  const redisExecutable = await findExecutable('redis-server', options.env.PATH);
  if (redisExecutable === undefined) {
    throw new Error(
      'redis-server is not on PATH; the chaos suite restarts a Redis of its own (apt install redis-server)',
    );
  }
  const [postgresPort, redisPort] = [await freePort(), await freePort()];
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const redisDir = join(options.dataDir, 'redis');
  const postgresDir = join(options.dataDir, 'postgres');
  const noop = () => undefined;

  const startRedis = () =>
    startRedisServer({
      executable: redisExecutable,
      redisUrl,
      dataDir: redisDir,
      output: options.output,
      onSpawn: noop,
    });
  const startPostgres = () =>
    startEmbeddedPostgres({
      dataDir: postgresDir,
      port: postgresPort,
      env: options.env,
      output: options.output,
      onSpawn: noop,
    });

  let redis: ManagedProcess = await startRedis();
  let postgres: { process: ManagedProcess; databaseUrl: string } | undefined = await startPostgres();
  const databaseUrl = postgres.databaseUrl;

  return {
    databaseUrl,
    redisUrl,
    async restartRedis() {
      await stopManagedProcess(redis, 'SIGTERM', 20_000);
      redis = await startRedis();
    },
    async stopPostgres() {
      if (postgres === undefined) return;
      await stopManagedProcess(postgres.process, 'SIGTERM', 30_000);
      postgres = undefined;
    },
    async startPostgres() {
      if (postgres !== undefined) return;
      postgres = await startPostgres();
    },
    async close() {
      await stopManagedProcess(redis, 'SIGTERM', 10_000);
      if (postgres !== undefined) await stopManagedProcess(postgres.process, 'SIGTERM', 30_000);
    },
  };
}
