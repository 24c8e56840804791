import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { upsertOperator } from '@adsync/db';
import { createRedisConnection } from '@adsync/queues';
import { freePort, startGatewayProcess, useTestEnvironment } from '@adsync/testing';
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
  const viewer = { email: 'viewer@ops.example', token: `op_${randomBytes(24).toString('base64url')}` };

  beforeAll(async () => {
    gateway = await startGateway(env.redisUrl, env.queuePrefix);
    app = gateway.app;
    await upsertOperator(env.db, { email: viewer.email, role: 'viewer', token: viewer.token });
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

  it('serves /metrics only on its internal listener: the public port answers 404 for every spelling of it', async () => {
    // What anybody who reaches the public port (an ingress, a load balancer) can ask for.
    for (const [method, path] of [
      ['GET', '/metrics'],
      ['HEAD', '/metrics'],
      ['GET', '/metrics?name[]=adsync_queue_jobs'],
      ['GET', '/metrics/'],
      ['GET', '/METRICS'],
      ['GET', '/%6Detrics'],
    ] as const) {
      const answer = await fetch(`${gateway.url}${path}`, { method });
      const text = await answer.text();
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(text, `${method} ${path}`).not.toContain('adsync_');
      if (method === 'GET') expect(JSON.parse(text).error.code, `${method} ${path}`).toBe('not_found');
    }
    expect(new URL(gateway.metricsUrl).port).not.toBe(new URL(gateway.url).port);
  });

  it('exports queue depth and HTTP metrics on the internal listener, which serves nothing else', async () => {
    await (await fetch(`${gateway.url}/healthz`)).body?.cancel();
    await (await fetch(`${gateway.url}/metrics`)).body?.cancel();
    const response = await fetch(gateway.metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await response.text();
    expect(body).toContain('adsync_queue_jobs{queue="refresh",state="waiting",app="gateway"} 0');
    expect(body).toMatch(/adsync_http_requests_total\{method="GET",route="\/healthz",status="200",app="gateway"\} \d+/);
    // The public port's 404 for /metrics is counted like any other unmatched request.
    expect(body).toMatch(/adsync_http_requests_total\{method="GET",route="unmatched",status="404",app="gateway"\} \d+/);
    // The internal port is not a second way into the API, the board or the admin page.
    const origin = new URL(gateway.metricsUrl).origin;
    for (const path of ['/healthz', '/queues', '/v1/connections', '/admin', '/docs/json']) {
      const answer = await fetch(`${origin}${path}`);
      await answer.body?.cancel();
      expect(answer.status, path).toBe(404);
    }
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

  it('listens on the public port and, apart, on GATEWAY_METRICS_HOST:GATEWAY_METRICS_PORT for /metrics', async () => {
    const metricsPort = await freePort();
    const gateway = await startGatewayProcess({ ...env.env, GATEWAY_METRICS_PORT: String(metricsPort) });
    try {
      expect(gateway.metricsUrl()).toBe(`http://127.0.0.1:${metricsPort}/metrics`);
      const publicAnswer = await fetch(`${gateway.url()}/metrics`);
      expect(publicAnswer.status).toBe(404);
      expect(await publicAnswer.text()).not.toContain('adsync_');
      const scrape = await fetch(gateway.metricsUrl() ?? '');
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('adsync_queue_jobs{queue="refresh",state="waiting",app="gateway"}');
    } finally {
      await gateway.stop();
    }
    // Both listeners closed on SIGTERM: the process exited 0 and the metrics port is free again.
    expect(gateway.child.exitCode).toBe(0);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it('refuses to start in production on the development secrets', async () => {
    const { code, stderr } = await boot({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('ENCRYPTION_KEYS: holds the public development key');
    expect(stderr).toContain('OAUTH_STATE_SECRET: is the public development secret');
  });
});
