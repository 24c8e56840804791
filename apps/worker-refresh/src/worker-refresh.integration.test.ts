// The real worker-refresh process against real Postgres, Redis and the simulator: its sweep finds due
// connections every second, rotating TikTok tokens shortened to 4 seconds keep rotating without a loss,
// and a grant revoked at the platform shows as needs_reauth within a sweep.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEnv, workerConfigSchema } from '@adsync/config';
import {
  connectForTest,
  openCredential,
  type PlatformClients,
  SIGNATURE_HEADER,
  sealWebhookSecret,
  simulatorPlatforms,
  verifyWebhook,
} from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import { createTenant, findConnection, listConnectionEvents, setTenantWebhook } from '@adsync/db';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { startWorkerProcess, useTestEnvironment, type WorkerProcess } from '@adsync/testing';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';

const env = useTestEnvironment();
// The worker runs on the development keys; the test seals its fixtures with the same ones.
const keyring = createKeyring(parseEnv(workerConfigSchema(0), {}).ENCRYPTION_KEYS);
let sim: RunningSimulator;
let platforms: PlatformClients;
let worker: WorkerProcess;
const processes: WorkerProcess[] = [];

/** Starts a worker-refresh process on the test's Postgres, Redis and simulator, sweeping every second. */
async function startWorker(): Promise<WorkerProcess> {
  const started = await startWorkerProcess('worker-refresh', {
    ...env.env,
    SIMULATOR_URL: sim.url,
    PUBLIC_BASE_URL: 'http://adsync.localhost',
    REFRESH_SWEEP_EVERY_SECONDS: '1',
    // The webhook receiver below is on this machine, allowed as an operator allows an on-premises host.
    OUTBOUND_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
    // A dead worker's jobs come back within ~4 s instead of ~60 s.
    WORKER_JOB_LOCK_SECONDS: '2',
  });
  processes.push(started);
  return started;
}

/** Everything every worker process of this file printed. */
const output = () => processes.map((started) => started.output()).join('');

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }, { tiktok: { accessTokenSeconds: 4 } });
  platforms = simulatorPlatforms(sim.url);
  worker = await startWorker();
});
afterAll(async () => {
  for (const started of processes) await started.stop();
  await sim?.close();
});

it('rotating TikTok tokens shortened to seconds survive rotation after rotation', async () => {
  const { connection } = await connectForTest(env.db, platforms, 'tiktok', { keyring, nextRefreshAt: new Date() });
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  await expect
    .poll(async () => (await findConnection(env.db, key))?.credentials_version ?? 0, { timeout: 20_000, interval: 250 })
    .toBeGreaterThanOrEqual(connection.credentials_version + 4);
  const row = await findConnection(env.db, key);
  expect(row?.status).toBe('active');
  // The stored access token is the current one: TikTok accepts it.
  const accessToken = openCredential(keyring, key, 'access_token', row?.access_token_ciphertext ?? '');
  const accounts = await platforms.oauth('tiktok').listAccounts({
    accessToken,
    accessTokenExpiresAt: null,
    refreshToken: null,
    refreshTokenExpiresAt: null,
    scopes: [],
    externalUserId: null,
  });
  expect(accounts.ok).toBe(true);

  // The fleet's metrics show the rotations and the connection.
  const healthUrl = worker.healthUrl();
  const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
  expect(metrics).toMatch(/adsync_refresh_outcomes_total\{[^}]*provider="tiktok"[^}]*outcome="refreshed"[^}]*\} [1-9]/);
  expect(metrics).toMatch(/adsync_connections\{[^}]*provider="tiktok"[^}]*status="active"[^}]*\} [1-9]/);
  expect(metrics).toMatch(/adsync_credentials_soonest_expiry_seconds\{[^}]*provider="tiktok"/);
});

it('a grant revoked at the platform shows as needs_reauth within a sweep, and the tenant hears of it', async () => {
  const deliveries: { body: string; signature: string }[] = [];
  const hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      deliveries.push({ body, signature: String(request.headers[SIGNATURE_HEADER]) });
      // The first delivery fails: the job retries.
      response.statusCode = deliveries.length === 1 ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const tenant = await createTenant(env.db, { name: 'Webhook tenant' });
  const secret = 'whsec_worker-refresh-test';
  await setTenantWebhook(env.db, tenant.id, {
    url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/adsync`,
    secretCiphertext: sealWebhookSecret(keyring, tenant.id, secret),
  });
  const { connection, tokens } = await connectForTest(env.db, platforms, 'google', {
    keyring,
    tenantId: tenant.id,
    accounts: ['1000000015'],
  });
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  await fetch(`${sim.url}/_control/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'google', token: tokens.refreshToken }),
  });
  await env.db
    .updateTable('connections')
    .set({ next_refresh_at: new Date() })
    .where('id', '=', connection.id)
    .execute();
  await expect
    .poll(async () => (await findConnection(env.db, key))?.status, { timeout: 10_000, interval: 200 })
    .toBe('needs_reauth');
  // The event is recorded just after the status flips (its own write): wait for it rather than race it.
  await expect
    .poll(async () => (await listConnectionEvents(env.db, key, { limit: 100 })).events.map((event) => event.type), {
      timeout: 10_000,
    })
    .toContain('needs_reauth');
  expect(output()).not.toContain(tokens.refreshToken ?? 'no refresh token');
  expect(output()).not.toContain(tokens.accessToken);

  // Delivered, signed, after one failed attempt (the retry backs off ~30 s: the test waits for the first try
  // only, then runs the retry now).
  await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  const [first] = deliveries;
  expect(verifyWebhook(secret, first?.body ?? '', first?.signature ?? '', Math.floor(Date.now() / 1000))).toBe(true);
  expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
    type: 'connection.needs_reauth',
    data: { connectionId: connection.id },
  });
  const queue = new Queue('webhooks', { connection: env.redis, prefix: env.queuePrefix });
  await expect.poll(async () => (await queue.getDelayed()).length, { timeout: 5_000 }).toBe(1);
  const [retry] = await queue.getDelayed();
  await retry?.promote();
  await expect.poll(() => deliveries.length, { timeout: 10_000 }).toBe(2);
  await queue.close();
  await new Promise((resolve) => hooks.close(resolve));
});

it('a worker killed with SIGKILL mid-refresh: the job comes back to another worker and the connection stays valid', async () => {
  const { connection } = await connectForTest(env.db, platforms, 'google', { keyring, accounts: ['1000000015'] });
  const key = { tenantId: connection.tenant_id, connectionId: connection.id };
  await fetch(`${sim.url}/_control/latency`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'google', route: 'POST /oauth2/token', ms: 1_500 }),
  });
  const queue = new Queue('refresh', { connection: env.redis, prefix: env.queuePrefix });
  await env.db
    .updateTable('connections')
    .set({ next_refresh_at: new Date() })
    .where('id', '=', connection.id)
    .execute();
  await expect
    .poll(async () => (await queue.getActive()).some((job) => job.data.connectionId === connection.id), {
      timeout: 10_000,
      interval: 50,
    })
    .toBe(true);
  worker.child.kill('SIGKILL');
  await new Promise((resolve) => worker.child.once('close', resolve));
  await fetch(`${sim.url}/_control/faults/clear`, { method: 'POST' });

  worker = await startWorker();
  await expect
    .poll(async () => (await findConnection(env.db, key))?.credentials_version ?? 0, { timeout: 20_000, interval: 250 })
    .toBeGreaterThan(connection.credentials_version);
  expect((await findConnection(env.db, key))?.status).toBe('active');
  await queue.close();
});
