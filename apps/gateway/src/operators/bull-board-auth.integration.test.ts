// Operator auth on Bull Board (/queues) and the operator routes, over real HTTP with real jobs in Redis:
// without valid operator credentials (none, a wrong token, an unknown email, a disabled operator, a tenant's
// API key or session) → 401 with a basic-auth challenge; a viewer reads the board and its API but any change
// is 403 operator_read_only; an admin's change from another site is 403 cross_site_request; after every
// refusal Redis holds exactly what it held before. An admin on our own origin retries a failed job and
// promotes a delayed one for real.

import { randomBytes, randomUUID } from 'node:crypto';
import { createTenantWithKey, upsertOperator } from '@adsync/db';
import { useTestEnvironment } from '@adsync/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser } from '../testing/admin-browser.ts';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { readRedisEntries } from '../testing/redis-entries.ts';

const env = useTestEnvironment();
let gateway: TestGateway;

const operatorToken = () => `op_${randomBytes(24).toString('base64url')}`;
const admin = { email: 'admin@ops.example', token: operatorToken() };
const viewer = { email: 'viewer@ops.example', token: operatorToken() };
const retired = { email: 'retired@ops.example', token: operatorToken() };
let tenant: { apiKey: string; sessionCookie: string };

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
  code: string | undefined;
}

async function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${gateway.url}${path}`, { method, headers, redirect: 'manual' });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, text, headers: response.headers, code };
}

/** Everything Redis holds for this test, to show that a refused change changed nothing. */
async function redisState(): Promise<string[]> {
  const { entries } = await readRedisEntries(env.redis, env.queuePrefix);
  return entries.map((entry) => `${entry.key} ${entry.part} ${entry.value}`).sort();
}

/** A sweep job that ran once and failed (attempts: 1), as a worker would leave it. */
async function failedRefreshJob(): Promise<string> {
  const id = `board-failed-${randomUUID()}`;
  await gateway.deps.producer.enqueue('refresh', 'sweep-due-connections', {}, { jobId: id });
  const connection = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker('refresh', null, { connection, prefix: env.queuePrefix, autorun: false });
  try {
    const job = await worker.getNextJob('bull-board-test');
    expect(job?.id).toBe(id);
    await job?.moveToFailed(new Error('the sweep failed (test)'), 'bull-board-test');
  } finally {
    await worker.close();
    connection.disconnect();
  }
  expect(await jobState('refresh', id)).toBe('failed');
  return id;
}

/** An hourly tick due in an hour. */
async function delayedHourlyJob(): Promise<string> {
  const id = `board-delayed-${randomUUID()}`;
  await gateway.deps.producer.enqueue('spend-hourly', 'hourly-tick', {}, { jobId: id, delay: 3_600_000 });
  expect(await jobState('spend-hourly', id)).toBe('delayed');
  return id;
}

function jobState(queue: 'refresh' | 'spend-hourly', id: string) {
  return gateway.deps.producer.queue(queue).getJobState(id);
}

/** The changes an operator can ask of the board (and the operator API), on real jobs. */
function changes(jobs: { failed: string; delayed: string }): [string, string][] {
  return [
    ['PUT', `/queues/api/queues/refresh/${jobs.failed}/retry`],
    ['PUT', '/queues/api/queues/refresh/retry/failed'],
    ['PUT', '/queues/api/queues/refresh/clean/failed'],
    ['PUT', `/queues/api/queues/refresh/${jobs.failed}/clean`],
    ['PUT', `/queues/api/queues/spend-hourly/${jobs.delayed}/promote`],
    ['PUT', '/queues/api/queues/spend-hourly/promote'],
    ['PUT', '/queues/api/queues/spend-hourly/pause'],
    ['PUT', '/queues/api/queues/spend-hourly/obliterate'],
    ['POST', '/v1/operator/dead-letters/replay'],
  ];
}

beforeAll(async () => {
  gateway = await startTestGateway({ db: env.db, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix });
  for (const [who, role] of [
    [admin, 'admin'],
    [viewer, 'viewer'],
    [retired, 'admin'],
  ] as const) {
    await upsertOperator(env.db, { email: who.email, role, token: who.token });
  }
  await env.db.updateTable('operators').set({ disabled_at: new Date() }).where('email', '=', retired.email).execute();
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Not an operator', keyName: 't' });
  const link = await api(gateway.url, apiKey, 'POST', '/v1/admin/login-links', {});
  const browser = new AdminBrowser(gateway.url);
  expect((await browser.signInWithLink(String(link.body.url))).status).toBe(303);
  const session = browser.cookie('adsync_session') ?? '';
  expect(session).not.toBe('');
  tenant = { apiKey, sessionCookie: `adsync_session=${session}` };
});
afterAll(async () => {
  await gateway?.close();
});

describe('operator authentication', () => {
  const paths = ['/queues', '/queues/api/queues', '/queues/api/redis/stats', '/v1/operator/dead-letters'];

  it('without credentials: 401 with a basic-auth challenge, on the board, its API and the operator routes', async () => {
    for (const path of paths) {
      const answer = await call('GET', path);
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('www-authenticate'), path).toBe('Basic realm="adsync operators", charset="UTF-8"');
      expect(answer.code, path).toBe('operator_auth_required');
    }
    const change = await call('PUT', '/queues/api/queues/refresh/pause');
    expect(change.status).toBe(401);
    expect(change.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('refuses a wrong token, an unknown email, a disabled operator and anything a tenant holds', async () => {
    const refused: [string, Record<string, string>][] = [
      ['a wrong token', { authorization: basic(admin.email, `${admin.token}x`) }],
      ["another operator's token", { authorization: basic(admin.email, viewer.token) }],
      ['an unknown email', { authorization: basic('nobody@ops.example', admin.token) }],
      ['a disabled operator', { authorization: basic(retired.email, retired.token) }],
      ['no password', { authorization: `Basic ${Buffer.from(admin.email).toString('base64')}` }],
      ['a bearer token', { authorization: `Bearer ${admin.token}` }],
      ["a tenant's API key as a bearer", { authorization: `Bearer ${tenant.apiKey}` }],
      ["a tenant's API key as an operator's password", { authorization: basic(admin.email, tenant.apiKey) }],
      ["a tenant's API key as the user", { authorization: basic(tenant.apiKey, tenant.apiKey) }],
      ["a tenant's admin-page session", { cookie: tenant.sessionCookie }],
    ];
    for (const [what, headers] of refused) {
      for (const path of paths) {
        const answer = await call('GET', path, headers);
        expect(answer.status, `${what}: ${path}`).toBe(401);
        expect(answer.code, `${what}: ${path}`).toBe('operator_auth_required');
        expect(answer.headers.get('www-authenticate'), `${what}: ${path}`).toMatch(/^Basic realm="adsync operators"/);
        for (const secret of [admin.token, viewer.token, retired.token, tenant.apiKey]) {
          expect(answer.text, `${what}: ${path}`).not.toContain(secret);
        }
      }
    }
    // The right pair is let in: the refusals above are about the credentials, not the routes.
    for (const path of paths) {
      expect((await call('GET', path, { authorization: basic(admin.email, admin.token) })).status, path).toBe(200);
    }
    // Emails are case-insensitive; tokens are not.
    const upper = await call('GET', '/queues/api/queues', {
      authorization: basic(admin.email.toUpperCase(), admin.token),
    });
    expect(upper.status).toBe(200);
    const upperToken = await call('GET', '/queues/api/queues', {
      authorization: basic(admin.email, admin.token.toUpperCase()),
    });
    expect(upperToken.status).toBe(401);
  });
});

describe('what a viewer and an admin may change', () => {
  it('a viewer reads the board, its API and a job, and every change is 403 with Redis unchanged', async () => {
    const jobs = { failed: await failedRefreshJob(), delayed: await delayedHourlyJob() };
    const asViewer = { authorization: basic(viewer.email, viewer.token) };
    const page = await call('GET', '/queues', asViewer);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const queues = await call('GET', '/queues/api/queues?activeQueue=refresh&status=failed', asViewer);
    expect(queues.status).toBe(200);
    expect(queues.text).toContain(jobs.failed);
    const job = await call('GET', `/queues/api/queues/refresh/${jobs.failed}`, asViewer);
    expect(job.status).toBe(200);
    expect(job.text).toContain('the sweep failed (test)');
    expect((await call('GET', '/v1/operator/dead-letters', asViewer)).status).toBe(200);

    const before = await redisState();
    for (const [method, path] of changes(jobs)) {
      // A viewer's change refused even when it comes from our own pages.
      for (const headers of [asViewer, { ...asViewer, origin: gateway.url, 'sec-fetch-site': 'same-origin' }]) {
        const answer = await call(method, path, headers);
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.code, `${method} ${path}`).toBe('operator_read_only');
      }
    }
    expect(await redisState()).toEqual(before);
    expect(await jobState('refresh', jobs.failed)).toBe('failed');
    expect(await jobState('spend-hourly', jobs.delayed)).toBe('delayed');
  });

  it("an admin's change from another site is 403 cross_site_request, with Redis unchanged", async () => {
    const jobs = { failed: await failedRefreshJob(), delayed: await delayedHourlyJob() };
    const asAdmin = { authorization: basic(admin.email, admin.token) };
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      // A sibling site, or a page that hides its origin, is not our own page either.
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
      // Our origin in the header, but the browser says the request came from elsewhere.
      { origin: gateway.url, 'sec-fetch-site': 'cross-site' },
      { origin: gateway.url.replace('http:', 'https:') },
    ];
    const before = await redisState();
    for (const [method, path] of changes(jobs)) {
      for (const headers of crossSite) {
        const answer = await call(method, path, { ...asAdmin, ...headers });
        expect(answer.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(answer.code, `${method} ${path} ${JSON.stringify(headers)}`).toBe('cross_site_request');
      }
    }
    expect(await redisState()).toEqual(before);
    expect(await jobState('refresh', jobs.failed)).toBe('failed');
    expect(await jobState('spend-hourly', jobs.delayed)).toBe('delayed');
    // Reads are not changes: another site cannot read the answer, so the same headers on a GET pass.
    expect((await call('GET', '/queues/api/queues', { ...asAdmin, 'sec-fetch-site': 'cross-site' })).status).toBe(200);
  });

  it('an admin on our own origin (or a client that is no browser) retries, promotes and pauses for real', async () => {
    const asAdmin = { authorization: basic(admin.email, admin.token) };
    const sameOrigin = { ...asAdmin, origin: gateway.url, 'sec-fetch-site': 'same-origin' };
    for (const headers of [sameOrigin, asAdmin]) {
      const failed = await failedRefreshJob();
      const retried = await call('PUT', `/queues/api/queues/refresh/${failed}/retry`, headers);
      expect(retried.status, retried.text).toBeLessThan(300);
      expect(['waiting', 'prioritized']).toContain(await jobState('refresh', failed));
      const job = await gateway.deps.producer.queue('refresh').getJob(failed);
      expect(job?.failedReason ?? '').toBe('');
      // Out of the way of the next failed job this test makes (workers take waiting jobs in order).
      await job?.remove();

      const delayed = await delayedHourlyJob();
      const promoted = await call('PUT', `/queues/api/queues/spend-hourly/${delayed}/promote`, headers);
      expect(promoted.status, promoted.text).toBeLessThan(300);
      expect(['waiting', 'prioritized']).toContain(await jobState('spend-hourly', delayed));
    }
    const paused = await call('PUT', '/queues/api/queues/spend-nightly/pause', sameOrigin);
    expect(paused.status, paused.text).toBeLessThan(300);
    expect(await env.redis.hexists(`${env.queuePrefix}:spend-nightly:meta`, 'paused')).toBe(1);
  });
});
