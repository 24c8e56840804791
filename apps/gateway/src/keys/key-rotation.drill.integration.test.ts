// The encryption-key rotation drill (DESIGN §4, docs/operations.md "Encryption keys"), with the fleet running.
// 1. The fleet (this gateway, real worker-refresh and worker-capi processes) runs on key `old` and stores a
//    secret in every sealed column through its own code: OAuth and Klaviyo connections, a webhook secret,
//    event destinations (one with a dedicated token), a dead letter, a Klaviyo list job, OAuth states (one
//    still pending), and TikTok connections whose 4-second tokens refresh all the time.
// 2. The fleet rolls to `new,old`; `pnpm reseal` runs while those refreshes race it; afterwards every sealed
//    value in the database (found from the schema, not from the command's own list) is under `new`.
// 3. The fleet rolls to `new` alone and still works end to end: the refreshes go on, a Google refresh, events
//    delivered with connection and dedicated tokens, a dead letter replayed, the pending OAuth flow completed,
//    the Klaviyo list job run by worker-klaviyo, a signed webhook. No output ever shows a secret or a sealed value.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectForTest,
  openCredential,
  SIGNATURE_HEADER,
  simulatorPlatforms,
  verifyWebhook,
} from '@adsync/connections';
import { createKeyring } from '@adsync/crypto';
import {
  createTenantWithKey,
  findConnection,
  findConnectionByProvider,
  listConnections,
  recordKlaviyoGroups,
} from '@adsync/db';
import { KLAVIYO_REVISION } from '@adsync/providers';
import {
  completeConsent,
  controlSimulator,
  KLAVIYO_PRIVATE_KEYS,
  type RunningSimulator,
  startSimulator,
} from '@adsync/simulator';
import {
  createCapturingLogger,
  freePort,
  startWorkerProcess,
  useTestEnvironment,
  type WorkerProcess,
} from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, connectByHttp, startConnect, TestBrowser } from '../testing/connect-client.ts';
import { META_PIXEL } from '../testing/event-destinations.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { leadEvent } from '../testing/lead-event.ts';

const env = useTestEnvironment();
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;
const [{ key: KLAVIYO_KEY }] = KLAVIYO_PRIVATE_KEYS;
/** TikTok connections that refresh every ~2 s all through the drill, racing the re-seal. */
const RACING_CONNECTIONS = 10;

const keyBytes = { old: randomBytes(32), new: randomBytes(32) };
const entry = (id: keyof typeof keyBytes) => `${id}:${keyBytes[id].toString('base64')}`;
const KEYS = { old: entry('old'), rotating: `${entry('new')},${entry('old')}`, new: entry('new') };
const OLD = createKeyring([{ id: 'old', key: keyBytes.old }]);
const NEW_ONLY = createKeyring([{ id: 'new', key: keyBytes.new }]);

let sim: RunningSimulator;
let port: number;
let gateway: TestGateway | undefined;
let workers: WorkerProcess[] = [];
/** Everything any process printed: scanned for secrets at the end. */
const printed: string[] = [];
const { logger: gatewayLogger, lines: gatewayLines } = createCapturingLogger('gateway', 'info');
/** Every secret the drill knows in clear. */
const secrets: string[] = [];

const hooks: { body: string; signature: string }[] = [];
let hookServer: Server;

/** What phase 1 made, for the later phases. */
const made = {
  brand: { tenantId: '', apiKey: '' },
  late: { tenantId: '', apiKey: '' },
  webhookSecret: '',
  dedicatedDestination: '',
  poisonEventId: '',
  deadLetterId: '',
  listJobId: '',
  pendingAuthorizeUrl: '',
  /** The browser that started that flow: the callback must come back to it. */
  pendingBrowser: new TestBrowser('http://127.0.0.1'),
  racing: [] as { tenantId: string; connectionId: string }[],
};

/** Starts the gateway (always on the same port) and the worker apps, all on one ENCRYPTION_KEYS. */
async function startFleet(keys: string, apps: readonly string[]): Promise<void> {
  gateway = await startTestGateway({
    db: env.db,
    redisUrl: env.redisUrl,
    queuePrefix: env.queuePrefix,
    simulatorUrl: sim.url,
    port,
    // The webhook receiver is on this machine, allowed as an operator allows an on-premises host.
    environment: { ENCRYPTION_KEYS: keys, OUTBOUND_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' },
    logger: gatewayLogger,
  });
  workers = await Promise.all(
    apps.map((app) =>
      startWorkerProcess(app, {
        ...env.env,
        SIMULATOR_URL: sim.url,
        PUBLIC_BASE_URL: 'http://adsync.localhost',
        ENCRYPTION_KEYS: keys,
        REFRESH_SWEEP_EVERY_SECONDS: '1',
        EVENTS_LINGER_MS: '50',
        OUTBOUND_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
      }),
    ),
  );
}

/** A rolling restart in one step: everything stops (running jobs finish), then starts again. */
async function stopFleet(): Promise<void> {
  await gateway?.close();
  gateway = undefined;
  for (const worker of workers) {
    await worker.stop();
    printed.push(worker.output());
  }
  workers = [];
}

function live(): TestGateway {
  if (gateway === undefined) throw new Error('the fleet is not running');
  return gateway;
}

const call = (who: { apiKey: string }, method: string, path: string, body?: unknown) =>
  api(live().url, who.apiKey, method, path, body);
const control = (path: string, body: unknown) => controlSimulator(sim.url, path, body);

async function recordedIds(pixel: string): Promise<string[]> {
  const response = await fetch(`${sim.url}/_control/events?destination=${pixel}`);
  const { events } = (await response.json()) as { events: { event: Record<string, unknown> }[] };
  return events.map((recorded) => String(recorded.event.event_id));
}

/** `pnpm reseal` as an operator runs it, against this test's database. */
function reseal(args: readonly string[], keys: string): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, ['packages/connections/src/cli/reseal.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env.env, ENCRYPTION_KEYS: keys, LOG_FORMAT: 'json' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (status) => {
      printed.push(out);
      resolve({ status, out });
    }),
  );
}

/** The per-column rows of the command's summary table, total included. */
function figures(out: string) {
  return [...out.matchAll(/^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)].map((match) => ({
    column: match[1] ?? '',
    scanned: Number(match[2]),
    resealed: Number(match[3]),
    alreadyCurrent: Number(match[4]),
    changedMeanwhile: Number(match[5]),
    unreadable: Number(match[6]),
  }));
}

/** Every value of every `*_ciphertext` column, found from the schema itself rather than from the re-seal's list. */
async function everySealedValue(): Promise<{ column: string; value: string }[]> {
  const columns = await env.db
    .withTables<{ 'information_schema.columns': { table_schema: string; table_name: string; column_name: string } }>()
    .selectFrom('information_schema.columns')
    .select(['table_name', 'column_name'])
    .where('table_schema', '=', 'public')
    .where('column_name', 'like', '%\\_ciphertext')
    .execute();
  const values: { column: string; value: string }[] = [];
  const { ref } = env.db.dynamic;
  for (const { table_name, column_name } of columns) {
    const rows = (await env.db
      .selectFrom(table_name as 'connections')
      .select(ref(column_name))
      .where(ref(column_name), 'is not', null)
      .execute()) as Record<string, string>[];
    values.push(...rows.map((row) => ({ column: `${table_name}.${column_name}`, value: row[column_name] ?? '' })));
  }
  return values;
}

/** Stands in for worker-klaviyo's first lists sync: one of the account's lists at Klaviyo, as adsync records it. */
async function recordKlaviyoList(tenantId: string, connectionId: string): Promise<string> {
  const response = await fetch(`${sim.url}/klaviyo/a/api/lists`, {
    headers: {
      authorization: `Klaviyo-API-Key ${KLAVIYO_KEY}`,
      revision: KLAVIYO_REVISION,
      accept: 'application/vnd.api+json',
    },
  });
  const { data } = (await response.json()) as { data: { id: string; attributes: { name: string } }[] };
  const [list] = data;
  if (list === undefined) throw new Error('the simulator has no Klaviyo list');
  const groups = await recordKlaviyoGroups(env.db, {
    tenantId,
    connectionId,
    kind: 'list',
    groups: [{ externalId: list.id, name: list.attributes.name, createdAt: new Date(), updatedAt: new Date() }],
    at: new Date(),
  });
  const group = groups.find((candidate) => candidate.external_id === list.id);
  if (group === undefined) throw new Error('the list was not recorded');
  return group.id;
}

async function versions(keys: readonly { tenantId: string; connectionId: string }[]): Promise<number[]> {
  return Promise.all(keys.map(async (key) => (await findConnection(env.db, key))?.credentials_version ?? -1));
}

/** Waits until every one of the connections has been refreshed (a new credentials version) at least once more. */
async function eachRefreshedAgain(keys: readonly { tenantId: string; connectionId: string }[]): Promise<void> {
  const before = await versions(keys);
  await expect
    .poll(async () => (await versions(keys)).every((version, index) => version > (before[index] ?? 0)), {
      timeout: 20_000,
      interval: 250,
    })
    .toBe(true);
}

/** Makes the connection due, so worker-refresh's next sweep refreshes it. */
async function makeDue(connectionId: string): Promise<void> {
  await env.db.updateTable('connections').set({ next_refresh_at: new Date() }).where('id', '=', connectionId).execute();
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 }, { tiktok: { accessTokenSeconds: 4 } });
  port = await freePort();
  hookServer = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      hooks.push({ body, signature: String(request.headers[SIGNATURE_HEADER]) });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  await stopFleet();
  await new Promise((resolve) => hookServer?.close(resolve));
  await sim?.close();
});

it('phase 1: the fleet on key "old" stores a secret in every sealed column', async () => {
  await startFleet(KEYS.old, ['worker-refresh', 'worker-capi']);
  const brand = await createTenantWithKey(env.db, { name: 'Rotation brand', keyName: 'drill' });
  const late = await createTenantWithKey(env.db, { name: 'Late brand', keyName: 'drill' });
  made.brand = { tenantId: brand.tenant.id, apiKey: brand.apiKey };
  made.late = { tenantId: late.tenant.id, apiKey: late.apiKey };
  secrets.push(brand.apiKey, late.apiKey, KLAVIYO_KEY);

  // tenants.webhook_secret_ciphertext
  const webhook = await call(made.brand, 'PUT', '/v1/webhook', {
    url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/adsync`,
  });
  expect(webhook.status).toBe(200);
  made.webhookSecret = String(webhook.body.secret);
  secrets.push(made.webhookSecret);

  // connections.access_token / refresh_token and oauth_states (consumed), a destination using the Meta
  // connection. (TikTok's tokens are shortened to 4 s here, too short for worker-capi to send with.)
  await connectByHttp(live().url, made.brand.apiKey, 'meta', { accounts: ['act_1000000001'] });
  await connectByHttp(live().url, made.brand.apiKey, 'google', { accounts: ['1000000015'] });
  const meta = await findConnectionByProvider(env.db, { tenantId: made.brand.tenantId, provider: 'meta' });
  const destination = await call(made.brand, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: META_PIXEL,
    connectionId: meta?.id,
  });
  expect(destination.status, JSON.stringify(destination.body)).toBe(201);
  // connections.api_key_ciphertext, then klaviyo_list_jobs.profiles_ciphertext (no worker-klaviyo yet: it waits)
  const klaviyo = await call(made.brand, 'POST', '/v1/connections/klaviyo/api-key', {
    privateKey: KLAVIYO_KEY,
    publicKey: 'AcMe01',
  });
  expect(klaviyo.status, JSON.stringify(klaviyo.body)).toBe(201);
  const listId = await recordKlaviyoList(made.brand.tenantId, String(klaviyo.body.id));
  const listJob = await call(made.brand, 'POST', `/v1/klaviyo/lists/${listId}/subscriptions`, {
    profiles: [{ email: 'ada.rotation@example.com', channels: ['email'] }],
  });
  expect(listJob.status, JSON.stringify(listJob.body)).toBe(202);
  made.listJobId = String(listJob.body.id);
  secrets.push('ada.rotation@example.com');

  // capi_dead_letters.payload_ciphertext: Meta refuses one event; worker-capi dead-letters it.
  made.poisonEventId = `poison-${randomBytes(4).toString('hex')}`;
  await control('events/reject', { platform: 'meta', eventIds: [made.poisonEventId] });
  expect((await call(made.brand, 'POST', '/v1/events', { events: [leadEvent(made.poisonEventId)] })).status).toBe(202);
  await expect
    .poll(
      async () => {
        const page = await call(made.brand, 'GET', '/v1/events/dead-letters?status=dead');
        return (page.body.deadLetters as { id: string; eventId: string }[]).find(
          (letter) => letter.eventId === made.poisonEventId,
        )?.id;
      },
      { timeout: 20_000 },
    )
    .toBeDefined();
  const letters = await call(made.brand, 'GET', '/v1/events/dead-letters?status=dead');
  made.deadLetterId = String((letters.body.deadLetters as { id: string }[])[0]?.id);

  // capi_destinations.access_token_ciphertext: a dedicated token (the brand's Meta token, as a brand would paste it).
  const metaToken = openCredential(
    OLD,
    { tenantId: made.brand.tenantId, connectionId: meta?.id ?? '' },
    'access_token',
    meta?.access_token_ciphertext ?? '',
  );
  secrets.push(metaToken);
  const dedicated = await call(made.late, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: META_PIXEL,
    accessToken: metaToken,
  });
  expect(dedicated.status, JSON.stringify(dedicated.body)).toBe(201);
  made.dedicatedDestination = String(dedicated.body.id);

  // oauth_states.pkce_verifier_ciphertext of a flow the brand admin finishes only after the rotation.
  const started = await startConnect(live().url, made.late.apiKey, 'google');
  expect(started.status).toBe(303);
  made.pendingAuthorizeUrl = started.location ?? '';
  made.pendingBrowser = started.browser;

  // Connections that refresh every ~2 s from now on.
  const platforms = simulatorPlatforms(sim.url);
  for (let index = 0; index < RACING_CONNECTIONS; index += 1) {
    const { connection } = await connectForTest(env.db, platforms, 'tiktok', {
      keyring: OLD,
      nextRefreshAt: new Date(),
    });
    made.racing.push({ tenantId: connection.tenant_id, connectionId: connection.id });
  }
  await eachRefreshedAgain(made.racing);

  const sealed = await everySealedValue();
  const columns = new Set(sealed.map((value) => value.column));
  expect([...columns].sort()).toEqual([
    'capi_dead_letters.payload_ciphertext',
    'capi_destinations.access_token_ciphertext',
    'connections.access_token_ciphertext',
    'connections.api_key_ciphertext',
    'connections.refresh_token_ciphertext',
    'klaviyo_list_jobs.profiles_ciphertext',
    'oauth_states.pkce_verifier_ciphertext',
    'tenants.webhook_secret_ciphertext',
  ]);
  expect(sealed.filter((value) => !value.value.startsWith('v1.old.'))).toEqual([]);
}, 120_000);

it('phase 2: the fleet rolls to "new,old"; `pnpm reseal` runs while due connections refresh', async () => {
  // The dry run, before anything changes: everything is still under the old key.
  const dryRun = await reseal(['--check'], KEYS.rotating);
  expect(dryRun.status, dryRun.out).toBe(1);
  expect(dryRun.out).toMatch(/^tenants\.webhook_secret_ciphertext\s+1\s+0\s+1\s+old: 1$/m);

  await stopFleet();
  // The racing connections fell due while the fleet was down: the rotated fleet refreshes them at once, and
  // every ~2 s after, while the command re-seals them.
  await startFleet(KEYS.rotating, ['worker-refresh', 'worker-capi']);
  const racingBefore = await versions(made.racing);
  const started = Date.now();
  const runs = [await reseal(['--batch-size', '2'], KEYS.rotating)];
  // Then again, as an operator may, for a few rounds of refreshes: each finds nothing left to re-seal.
  while (Date.now() - started < 8_000) runs.push(await reseal([], KEYS.rotating));
  const racingAfter = await versions(made.racing);
  const refreshesMeanwhile = racingAfter.reduce((sum, version, index) => sum + version - (racingBefore[index] ?? 0), 0);

  const tables = runs.map((run) => {
    expect(run.status, run.out).toBe(0);
    const table = figures(run.out);
    expect(table.map((row) => row.column)).toHaveLength(9);
    for (const row of table) {
      expect(row.unreadable, row.column).toBe(0);
      expect(row.resealed + row.alreadyCurrent + row.changedMeanwhile, row.column).toBe(row.scanned);
    }
    return table;
  });
  const [first = [], ...again] = tables;
  // Every column held values under the old key that nobody rewrites (a Meta token, a Google refresh token, a
  // Klaviyo key, the webhook secret, a dedicated token, the dead letter, the list job, the OAuth states).
  for (const row of first) expect(row.resealed, row.column).toBeGreaterThan(0);
  const total = (table: ReturnType<typeof figures>) => table.find((row) => row.column === 'total');
  expect(again.length).toBeGreaterThan(0);
  for (const table of again) expect(total(table)?.resealed).toBe(0);
  expect(refreshesMeanwhile).toBeGreaterThan(0);
  const summary = (out: string) =>
    out
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('{'))
      .join('\n');
  const changedMeanwhile = tables.reduce((sum, table) => sum + (total(table)?.changedMeanwhile ?? 0), 0);
  console.log(
    `key-rotation drill: pnpm reseal --batch-size 2, right after the fleet rolled to "new,old":\n${summary(runs[0]?.out ?? '')}\n` +
      `${runs.length} runs in ${Date.now() - started} ms; ${refreshesMeanwhile} refreshes of ${RACING_CONNECTIONS} racing ` +
      `connections committed meanwhile; ${changedMeanwhile} values changed between a run's read and its write.`,
  );

  const check = await reseal(['--check'], KEYS.rotating);
  expect(check.status, check.out).toBe(0);
  const sealed = await everySealedValue();
  expect(sealed.length).toBeGreaterThan(20);
  expect(sealed.filter((value) => !value.value.startsWith('v1.new.'))).toEqual([]);
}, 120_000);

it('phase 3: the fleet on key "new" alone refreshes, delivers, replays, connects, runs list jobs and signs webhooks', async () => {
  await stopFleet();
  await startFleet(KEYS.new, ['worker-refresh', 'worker-capi', 'worker-klaviyo']);
  const brand = made.brand;

  // Every racing TikTok connection keeps refreshing: its rotated refresh token opens, none was lost to the re-seal.
  await eachRefreshedAgain(made.racing);
  for (const key of made.racing) expect((await findConnection(env.db, key))?.status).toBe('active');

  // A Google refresh with the refresh token re-sealed by the command.
  const google = await findConnectionByProvider(env.db, { tenantId: brand.tenantId, provider: 'google' });
  const googleKey = { tenantId: brand.tenantId, connectionId: google?.id ?? '' };
  await makeDue(googleKey.connectionId);
  await expect
    .poll(async () => (await findConnection(env.db, googleKey))?.credentials_version, { timeout: 20_000 })
    .toBeGreaterThan(google?.credentials_version ?? 0);
  expect((await findConnection(env.db, googleKey))?.status).toBe('active');

  // Events go out with the connections' tokens and with the dedicated token.
  const fresh = `after-${randomBytes(4).toString('hex')}`;
  const dedicated = `dedicated-${randomBytes(4).toString('hex')}`;
  expect((await call(brand, 'POST', '/v1/events', { events: [leadEvent(fresh)] })).status).toBe(202);
  expect((await call(made.late, 'POST', '/v1/events', { events: [leadEvent(dedicated)] })).status).toBe(202);
  await expect
    .poll(() => recordedIds(META_PIXEL), { timeout: 20_000 })
    .toEqual(expect.arrayContaining([fresh, dedicated]));

  // The dead letter opens and is delivered on replay.
  await control('faults/clear', {});
  const replay = await call(brand, 'POST', '/v1/events/dead-letters/replay', { ids: [made.deadLetterId] });
  expect(replay.body).toEqual({ replayed: [made.deadLetterId], notReplayable: [] });
  await expect.poll(() => recordedIds(META_PIXEL), { timeout: 20_000 }).toContain(made.poisonEventId);

  // The OAuth flow started before the rotation finishes: its PKCE verifier opens with the new key.
  const callbackUrl = await completeConsent(made.pendingAuthorizeUrl, {
    decision: 'approve',
    accounts: ['1000000015'],
  });
  const landed = await made.pendingBrowser.fetch(callbackUrl);
  expect(landed.status).toBeLessThan(400);
  const lateConnections = await listConnections(env.db, made.late.tenantId);
  expect(lateConnections.map((connection) => `${connection.provider}:${connection.status}`)).toEqual(['google:active']);

  // worker-klaviyo runs the list job: the Klaviyo key and the profiles open.
  const listJob = async () => (await call(brand, 'GET', `/v1/klaviyo/list-jobs/${made.listJobId}`)).body;
  await expect.poll(async () => (await listJob()).status, { timeout: 30_000, interval: 250 }).toBe('submitted');
  await fetch(`${sim.url}/_control/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms: 6_000 }),
  });
  await expect.poll(async () => (await listJob()).status, { timeout: 30_000, interval: 250 }).toBe('completed');
  expect(await listJob()).toMatchObject({ confirmed: 1, missing: 0 });

  // The webhook secret opens: a grant revoked at Google reaches the brand signed with it.
  const row = await findConnection(env.db, googleKey);
  const refreshToken = openCredential(NEW_ONLY, googleKey, 'refresh_token', row?.refresh_token_ciphertext ?? '');
  secrets.push(refreshToken);
  await control('revoke', { platform: 'google', token: refreshToken });
  await makeDue(googleKey.connectionId);
  await expect
    .poll(() => hooks.filter((hook) => hook.body.includes(googleKey.connectionId)).length, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(1);
  const hook = hooks.find((candidate) => candidate.body.includes(googleKey.connectionId));
  expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ type: 'connection.needs_reauth' });
  expect(
    verifyWebhook(made.webhookSecret, hook?.body ?? '', hook?.signature ?? '', Math.floor(Date.now() / 1000)),
  ).toBe(true);

  // Nothing needs the old key any more.
  const check = await reseal(['--check'], KEYS.new);
  expect(check.status, check.out).toBe(0);

  await stopFleet();
  const output = [...printed, ...gatewayLines].join('\n');
  for (const secret of secrets) expect(output).not.toContain(secret);
  expect(output).not.toMatch(/v1\.(old|new)\.[A-Za-z0-9_-]{8}/);
  expect(output).not.toContain(keyBytes.old.toString('base64'));
  expect(output).not.toContain(keyBytes.new.toString('base64'));
}, 150_000);
