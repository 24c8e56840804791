import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { hashToken } from '@adsync/crypto';
import { upsertOperator } from '@adsync/db';
import { createRedisConnection } from '@adsync/queues';
import { freePort, useTestEnvironment } from '@adsync/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './testing/gateway-harness.ts';

const env = useTestEnvironment();
async function startGateway(redisUrl: string, prefix: string) {
  return startTestGateway({ db: env.db, redisUrl, queuePrefix: prefix });
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('gateway', () => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let app: FastifyInstance;
  // Who may see and change what on the board: operators/bull-board-auth.integration.test.ts.
  const viewer = { email: 'viewer@ops.example', token: 'op_viewer_token_for_tests' };

  beforeAll(async () => {
    gateway = await startGateway(env.redisUrl, env.queuePrefix);
    app = gateway.app;
    await upsertOperator(env.db, { email: viewer.email, role: 'viewer', tokenHash: hashToken(viewer.token) });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers /healthz', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with both checks when Postgres and Redis are up', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { postgres: { ok: true }, redis: { ok: true } } });
  });

  it('answers unknown routes with the one error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'not_found', message: 'There is no GET /nope.' } });
  });

  it('shows operators the board with every queue', async () => {
    const page = await app.inject({
      method: 'GET',
      url: '/queues',
      headers: { authorization: basic(viewer.email, viewer.token) },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const api = await app.inject({
      method: 'GET',
      url: '/queues/api/queues',
      headers: { authorization: basic(viewer.email, viewer.token) },
    });
    expect(api.statusCode).toBe(200);
    const names = (api.json().queues as { name: string }[]).map((queue) => queue.name).sort();
    expect(names).toEqual(['capi-events', 'klaviyo-sync', 'refresh', 'spend-hourly', 'spend-nightly', 'webhooks']);
  });

  it('publishes the OpenAPI document at /docs without the internal board routes', async () => {
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    const paths = Object.keys(spec.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    expect(paths.some((path) => path.startsWith('/queues'))).toBe(false);
  });

  it('exports queue depth and HTTP metrics at /metrics', async () => {
    await gateway.app.inject({ method: 'GET', url: '/healthz' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('adsync_queue_jobs{queue="refresh",state="waiting",app="gateway"} 0');
    expect(response.body).toMatch(
      /adsync_http_requests_total\{method="GET",route="\/healthz",status="200",app="gateway"\} \d+/,
    );
  });
});

describe('gateway readiness when Redis stops', () => {
  let redisServer: ChildProcess | undefined;

  afterAll(() => {
    redisServer?.kill('SIGKILL');
  });

  it('answers 503 naming Redis, then 200 again once Redis is back', async () => {
    const port = await freePort();
    const start = async () => {
      redisServer = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      const probe = createRedisConnection({ url: `redis://127.0.0.1:${port}`, role: 'worker', name: 'probe' });
      probe.on('error', () => undefined);
      await probe.ping();
      probe.disconnect();
    };
    await start();
    const gateway = await startGateway(`redis://127.0.0.1:${port}`, '{adsync-readyz}');
    try {
      const readyzStatus = async () => (await gateway.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
      // Not ready until the new Redis connection has connected.
      await expect.poll(readyzStatus, { timeout: 10_000 }).toBe(200);

      redisServer?.kill('SIGKILL');
      await once(redisServer as ChildProcess, 'exit');
      const down = await gateway.app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      const body = down.json();
      expect(body.error.code).toBe('not_ready');
      expect(body.error.message).toMatch(/^Not ready: redis /);
      expect(body.error.message).not.toMatch(/postgres/);
      expect(body.error.details.postgres).toEqual({ ok: true });
      expect(body.error.details.redis.ok).toBe(false);

      await start();
      await expect.poll(readyzStatus, { timeout: 15_000 }).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('gateway boot', () => {
  async function boot(extraEnv: Record<string, string>) {
    const child = spawn(process.execPath, ['apps/gateway/src/main.ts'], {
      cwd: new URL('../../../', import.meta.url).pathname,
      env: { ...process.env, ...env.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, 'exit');
    return { code, stderr };
  }

  it('lists every invalid variable in one message and exits 1, without a stack trace', async () => {
    const { code, stderr } = await boot({ GATEWAY_PORT: 'eighty', QUEUE_PREFIX: 'no-hash-tag', DATABASE_URL: 'nope' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^gateway: Invalid configuration \(3 problems\):/);
    expect(stderr).toContain('GATEWAY_PORT:');
    expect(stderr).toContain('QUEUE_PREFIX: must contain one Redis Cluster hash tag');
    expect(stderr).toContain('DATABASE_URL: must be a URL');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to start in production on the development secrets', async () => {
    const { code, stderr } = await boot({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('ENCRYPTION_KEYS: holds the public development key');
    expect(stderr).toContain('OAUTH_STATE_SECRET: is the public development secret');
  });
});
