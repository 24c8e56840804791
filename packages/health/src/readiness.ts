// Readiness: can this process reach what it needs right now? Shared by the gateway's /readyz and the
// workers' health server, so both report an outage the same way.

import type { Db } from '@adsync/db';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';

export type DependencyName = 'postgres' | 'redis';

export interface CheckResult {
  ok: boolean;
  /** Why it failed, in words safe to show (no connection strings, no secrets). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<DependencyName, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function withTimeout(check: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z]+$/.test(code)) return `unreachable (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  // Driver messages can include host names; keep the gist and cap the length.
  return message.replace(/\w+:\/\/\S+/g, '[url]').slice(0, 200);
}

export async function checkReadiness(deps: { db: Db; redis: Redis }): Promise<Readiness> {
  const [postgres, redis] = await Promise.all([
    withTimeout(() => sql`SELECT 1`.execute(deps.db)),
    withTimeout(async () => {
      if (deps.redis.status !== 'ready') throw new Error(`connection is ${deps.redis.status}`);
      await deps.redis.ping();
    }),
  ]);
  return { ready: postgres.ok && redis.ok, checks: { postgres, redis } };
}

/** "redis is unreachable (ECONNREFUSED)" — names every dependency that is down. */
export function describeUnready(readiness: Readiness): string {
  const down = (Object.entries(readiness.checks) as [DependencyName, CheckResult][]).filter(([, check]) => !check.ok);
  return `Not ready: ${down.map(([name, check]) => `${name} ${check.error ?? 'failed'}`).join('; ')}`;
}
