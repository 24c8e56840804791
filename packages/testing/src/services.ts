// Where integration tests find Postgres and Redis: DATABASE_URL / REDIS_URL when set (CI and these
// machines), otherwise throwaway containers started by testcontainers (a laptop with Docker).

export interface StartedServices {
  /** A URL of the Postgres server; tests create their own databases on it. */
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

export async function startServices(env: Readonly<Record<string, string | undefined>>): Promise<StartedServices> {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseUrl = env.DATABASE_URL;
  let redisUrl = env.REDIS_URL;
  if (databaseUrl === undefined || databaseUrl === '') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    stops.push(() => container.stop());
    databaseUrl = container.getConnectionUri();
  }
  if (redisUrl === undefined || redisUrl === '') {
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => container.stop());
    redisUrl = container.getConnectionUrl();
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      await Promise.all(stops.map((stop) => stop()));
    },
  };
}
