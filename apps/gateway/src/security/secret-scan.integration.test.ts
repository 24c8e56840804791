// The secret scan. A slice of the fleet — the gateway in this process and worker-refresh, worker-spend,
// worker-capi and worker-klaviyo as real processes, all logging at trace level, against the simulator —
// creates every kind of secret adsync handles: OAuth connects of Meta, Google and TikTok (codes, states,
// PKCE verifiers, access and refresh tokens), a Klaviyo private key, refreshes by worker-refresh (new access
// tokens, and TikTok's rotated refresh tokens), event destinations with a connection's or a
// dedicated token and delivered and dead-lettered events, a webhook secret and a signed delivery, tenant API
// keys, an admin login link and session, an operator token, the OAuth client secrets from config and the
// ENCRYPTION_KEYS. Then every log line of every process, every Redis entry under the run's prefix (job data,
// return values, failure reasons, stack traces, buffers, locks, streams), every HTTP answer the test
// received, every webhook delivery and every database row are searched for each secret, as is and encoded:
// zero hits. The scanner shows it can fail by finding the secrets planted in a log line and in each kind of
// Redis value.

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayConfigSchema, parseEnv, resolveProviders } from '@adsync/config';
import { openCredential, SIGNATURE_HEADER, verifyWebhook } from '@adsync/connections';
import { openSecret } from '@adsync/crypto';
import { createTenantWithKey, findConnection, listConnections, upsertOperator } from '@adsync/db';
import { controlSimulator, KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import { createCapturingLogger, startWorkerProcess, type WorkerProcess } from '@adsync/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { snapshotDatabase } from '../fuzz/fuzz-support.ts';
import { connectByHttp } from '../testing/connect-client.ts';
import { META_PIXEL, TIKTOK_PIXEL } from '../testing/event-destinations.ts';
import { readRedisEntries } from '../testing/redis-entries.ts';
import { type ScanSource, type Secret, scanForSecrets, secretForms } from '../testing/secret-scanner.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const WORKERS = ['worker-refresh', 'worker-spend', 'worker-capi', 'worker-klaviyo'] as const;
const [{ key: KLAVIYO_KEY }] = KLAVIYO_PRIVATE_KEYS;
const META_SECOND_PIXEL = '2000000000000002';

// This run's own keys, not the development defaults: they are secrets to look for too.
const ENCRYPTION_KEY = randomBytes(32);
const ENCRYPTION_KEYS = `scan:${ENCRYPTION_KEY.toString('base64')}`;
const OAUTH_STATE_SECRET = randomBytes(32).toString('base64url');

const { logger: gatewayLogger, lines: gatewayLines } = createCapturingLogger('gateway');
const testbed = useGatewayWithSimulator({
  logger: gatewayLogger,
  // The webhook receiver is on this machine, allowed as an operator allows an on-premises host.
  environment: { ENCRYPTION_KEYS, OAUTH_STATE_SECRET, OUTBOUND_ALLOWED_PRIVATE_HOSTS: '127.0.0.1' },
});
const { env } = testbed;
const answers: ScanSource[] = [];
const deliveries: { body: string; signature: string; text: string }[] = [];
const secrets: Secret[] = [];
let hooks: Server;
const workers = new Map<string, WorkerProcess>();
/** Stops the credential collector (once the test is done with it, or when it failed half-way). */
let stopCollecting: (() => Promise<unknown>) | undefined;

type Json = Record<string, unknown>;

interface Answer {
  status: number;
  json: Json;
  text: string;
  headers: Headers;
}

/** Remembers an answer the test received, headers and body, for the scan. */
async function remember(name: string, response: Response): Promise<Answer> {
  const text = await response.text();
  const headers = [...response.headers].map(([header, value]) => `${header}: ${value}`).join('\n');
  answers.push({ name: `${name} #${answers.length + 1}`, text: `${response.status}\n${headers}\n\n${text}` });
  let json: Json = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Json);
  } catch {
    // an HTML page
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** One call to the gateway, remembered. */
async function http(
  method: string,
  path: string,
  options: { apiKey?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Answer> {
  const response = await fetch(`${testbed.gateway.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  return remember(`http ${method} ${path.split('?')[0]}`, response);
}

function secret(name: string, value: unknown, more: Omit<Secret, 'name' | 'value'> = {}): string {
  if (typeof value !== 'string' || value === '') throw new Error(`no value for the secret "${name}"`);
  if (!secrets.some((known) => known.value === value)) secrets.push({ name, value, ...more });
  return value;
}

/** Waits until `check` says true; otherwise it says what it saw, which a timeout reports. */
async function until(what: string, check: () => Promise<true | string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let seen = await check(); seen !== true; seen = await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** true, or what was seen. */
const seenAs = (done: boolean, seen: unknown): true | string => done || JSON.stringify(seen);

/**
 * Reads every credential of the tenant's connections from the database every 200 ms while the fleet runs,
 * opening them with the keyring: tokens replaced by a refresh a few seconds later are caught too.
 */
function collectCredentials(tenantId: string) {
  const seen = new Map<string, string>();
  let running = true;
  const collectOnce = async () => {
    for (const connection of await listConnections(env.db, tenantId)) {
      const key = { tenantId, connectionId: connection.id };
      for (const [field, sealed] of [
        ['access_token', connection.access_token_ciphertext],
        ['refresh_token', connection.refresh_token_ciphertext],
        ['api_key', connection.api_key_ciphertext],
      ] as const) {
        if (sealed === null) continue;
        const value = openCredential(testbed.gateway.deps.keyring, key, field, sealed);
        if (!seen.has(value)) seen.set(value, `${connection.provider} ${field} ${seen.size + 1}`);
      }
    }
  };
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      await collectOnce().catch((error: unknown) => {
        failure ??= error;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop(): Promise<Map<string, string>> {
      running = false;
      await loop;
      if (failure !== undefined) throw failure;
      await collectOnce();
      return seen;
    },
  };
}

beforeAll(async () => {
  hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const signature = String(request.headers[SIGNATURE_HEADER]);
      const headers = Object.entries(request.headers).map(([header, value]) => `${header}: ${String(value)}`);
      deliveries.push({ body, signature, text: `${headers.join('\n')}\n\n${body}` });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const started = await Promise.all(
    WORKERS.map((app) =>
      startWorkerProcess(
        app,
        {
          ...env.env,
          SIMULATOR_URL: testbed.sim.url,
          PUBLIC_BASE_URL: testbed.gateway.url,
          ENCRYPTION_KEYS,
          LOG_LEVEL: 'trace',
          REFRESH_SWEEP_EVERY_SECONDS: '1',
          EVENTS_LINGER_MS: '50',
          OUTBOUND_ALLOWED_PRIVATE_HOSTS: '127.0.0.1',
        },
        30_000,
      ),
    ),
  );
  WORKERS.forEach((app, index) => {
    const worker = started[index];
    if (worker !== undefined) workers.set(app, worker);
  });
}, 90_000);

afterAll(async () => {
  await stopCollecting?.().catch(() => undefined);
  for (const worker of workers.values()) await worker.stop();
  await new Promise((resolve) => hooks?.close(resolve));
});

it('no secret the run created is in any log line, Redis entry, HTTP answer, webhook or row', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Scanned brand', keyName: 'backend' });
  const tenantId = tenant.id;
  secret('tenant API key', apiKey);
  const issued = await http('POST', '/v1/api-keys', { apiKey, body: { name: 'second key' } });
  const secondKey = secret('tenant API key issued over HTTP', issued.json.apiKey, {
    allowedIn: ['http POST /v1/api-keys'],
  });
  const hook = await http('PUT', '/v1/webhook', {
    apiKey,
    body: { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/adsync` },
  });
  const webhookSecret = secret('webhook secret', hook.json.secret, { allowedIn: ['http PUT /v1/webhook'] });

  // OAuth connects through the simulator's consent pages, and a Klaviyo key.
  for (const [provider, accounts] of [
    ['meta', ['act_1000000001']],
    ['google', ['1000000015']],
    ['tiktok', ['7000000000000000005']],
  ] as const) {
    const attempt = await connectByHttp(testbed.gateway.url, apiKey, provider, { accounts });
    expect((await remember(`http GET /oauth/${provider}/callback`, attempt.response)).status).toBe(200);
    for (const name of ['code', 'auth_code', 'state']) {
      const value = attempt.callbackUrl.searchParams.get(name);
      if (value !== null) secret(`${provider} OAuth ${name}`, value);
    }
    secret(`${provider} connect link token`, new URL(attempt.linkUrl).searchParams.get('token'));
    secret(`${provider} browser binding cookie`, attempt.bindingCookie);
  }
  expect(
    (await http('POST', '/v1/connections/klaviyo/api-key', { apiKey, body: { privateKey: KLAVIYO_KEY } })).status,
  ).toBe(201);
  secret('Klaviyo private key', KLAVIYO_KEY);
  const wrongKlaviyoKey = secret('a Klaviyo key Klaviyo refused', `pk_${randomBytes(16).toString('hex')}`);
  const refusedKey = await http('POST', '/v1/connections/klaviyo/api-key', {
    apiKey,
    body: { privateKey: wrongKlaviyoKey },
  });
  expect(refusedKey.status).toBe(400);
  const collector = collectCredentials(tenantId);
  stopCollecting = collector.stop;

  const connections = await listConnections(env.db, tenantId);
  const connectionOf = (provider: string) => {
    const found = connections.find((connection) => connection.provider === provider);
    if (found === undefined) throw new Error(`no ${provider} connection`);
    return found;
  };
  expect(connections.map((connection) => connection.status)).toEqual(['active', 'active', 'active', 'active']);
  const versions = {
    google: connectionOf('google').credentials_version,
    tiktok: connectionOf('tiktok').credentials_version,
  };

  // Conversion events: destinations with a connection's token and a dedicated one (which Meta refuses:
  // the failure path holds the token too), one event Meta refuses, so one dead letter.
  for (const [provider, pixelId] of [
    ['meta', META_PIXEL],
    ['tiktok', TIKTOK_PIXEL],
  ] as const) {
    const created = await http('POST', '/v1/events/destinations', {
      apiKey,
      body: { provider, pixelId, connectionId: connectionOf(provider).id },
    });
    expect(created.status).toBe(201);
  }
  const dedicatedToken = secret('dedicated CAPI token', `EAA${randomBytes(40).toString('base64url')}`);
  expect(
    (
      await http('POST', '/v1/events/destinations', {
        apiKey,
        body: { provider: 'meta', pixelId: META_SECOND_PIXEL, accessToken: dedicatedToken, name: 'dedicated' },
      })
    ).status,
  ).toBe(201);
  const badToken = secret('a CAPI token refused for its spaces', `EAA with spaces ${randomBytes(12).toString('hex')}`);
  const refusedToken = await http('POST', '/v1/events/destinations', {
    apiKey,
    body: { provider: 'tiktok', pixelId: 'CADSYNCTESTPIXEL99', accessToken: badToken },
  });
  expect(refusedToken.status).toBe(400);
  const poison = `poison-${randomUUID()}`;
  await controlSimulator(testbed.sim.url, 'events/reject', { platform: 'meta', eventIds: [poison] });
  const now = Math.floor(Date.now() / 1000);
  const events = [`good-${randomUUID()}`, `good-${randomUUID()}`, poison].map((id) => ({
    id,
    name: 'Purchase',
    time: now - 30,
    actionSource: 'website',
    pageUrl: 'https://shop.example.com/checkout',
    user: { email: `${id}@example.com`, ip: '203.0.113.9', userAgent: 'Mozilla/5.0 scan' },
    custom: { value: 10, currency: 'USD' },
  }));
  const ingested = await http('POST', '/v1/events', { apiKey, body: { events } });
  expect(ingested.status, ingested.text).toBe(202);

  // Klaviyo: a list job on top of the first syncs the connect started.
  const listJob = await http('POST', '/v1/klaviyo/lists', { apiKey, body: { name: 'Scan list' } });
  expect(listJob.status).toBe(202);

  // The admin page: a login link, the session it opens, calls with it (one without its CSRF token).
  const link = await http('POST', '/v1/admin/login-links', { apiKey, body: {} });
  const linkUrl = new URL(String(link.json.url));
  const loginToken = secret('admin login link token', linkUrl.searchParams.get('token'), {
    // The link's page carries it in its form, to sign in with when its button is pressed.
    allowedIn: ['http POST /v1/admin/login-links', 'http GET /admin/login'],
  });
  expect((await http('GET', `${linkUrl.pathname}${linkUrl.search}`)).status).toBe(200);
  const opened = await http('POST', '/admin/login', {
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: testbed.gateway.url },
    body: new URLSearchParams({ token: loginToken }).toString(),
  });
  expect(opened.status).toBe(303);
  const cookie = (name: string) =>
    opened.headers
      .getSetCookie()
      .find((value) => value.startsWith(`${name}=`))
      ?.split(';')[0]
      ?.slice(name.length + 1);
  const session = secret('admin session token', cookie('adsync_session'), { allowedIn: ['http POST /admin/login'] });
  const csrf = secret('admin CSRF token', cookie('adsync_csrf'), { allowedIn: ['http POST /admin/login'] });
  const asSession = { cookie: `adsync_session=${session}; adsync_csrf=${csrf}` };
  expect((await http('GET', '/v1/connections', { headers: asSession })).status).toBe(200);
  for (const connection of connections) {
    await http('GET', `/v1/connections/${connection.id}`, { headers: asSession });
    await http('GET', `/v1/connections/${connection.id}/events`, { headers: asSession });
  }
  const noCsrf = await http('PUT', '/v1/webhook', { headers: asSession, body: { url: 'https://example.com/x' } });
  expect(noCsrf.status).toBe(403);
  const rotatedHook = await http('PUT', '/v1/webhook', {
    headers: { ...asSession, 'x-csrf-token': csrf, origin: testbed.gateway.url },
    body: { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/adsync` },
  });
  const rotatedSecret = secret('rotated webhook secret', rotatedHook.json.secret, {
    allowedIn: ['http PUT /v1/webhook'],
  });

  // An operator on Bull Board, and a wrong token.
  const operatorToken = secret('operator token', `op_${randomBytes(24).toString('base64url')}`);
  await upsertOperator(env.db, { email: 'scan@ops.example', role: 'admin', token: operatorToken });
  const asOperator = { authorization: `Basic ${Buffer.from(`scan@ops.example:${operatorToken}`).toString('base64')}` };
  expect((await http('GET', '/queues/api/queues', { headers: asOperator })).status).toBe(200);
  const wrongOperator = secret('a wrong operator token', `op_${randomBytes(24).toString('base64url')}`);
  const refusedOperator = await http('GET', '/queues/api/queues', {
    headers: { authorization: `Basic ${Buffer.from(`scan@ops.example:${wrongOperator}`).toString('base64')}` },
  });
  expect(refusedOperator.status).toBe(401);
  expect((await http('GET', '/v1/api-keys', { apiKey: secondKey })).status).toBe(200);
  expect((await http('GET', '/v1/connections', { apiKey: `${apiKey}x` })).status).toBe(401);

  // The fleet at work: deliveries and the dead letter, Klaviyo syncs and the list job, spend syncs.
  await until('the events are delivered and the poison one dead-lettered', async () => {
    const stats = await http('GET', '/v1/events/delivery-stats', { apiKey });
    const rows = stats.json.destinations as { name: string; delivered: number; openDeadLetters: number }[];
    const meta = rows.find((row) => row.name.includes(META_PIXEL));
    const tiktok = rows.find((row) => row.name.includes(TIKTOK_PIXEL));
    return seenAs(meta?.delivered === 2 && meta.openDeadLetters === 1 && tiktok?.delivered === 3, rows);
  });
  await until('the Klaviyo syncs and the list job are done', async () => {
    const syncs = (await http('GET', '/v1/klaviyo/syncs?limit=100', { apiKey })).json.syncs as {
      scope: string;
      status: string;
    }[];
    const job = await http('GET', `/v1/klaviyo/list-jobs/${String(listJob.json.id)}`, { apiKey });
    const done = ['lists', 'segments', 'catalog'].every((scope) =>
      syncs.some((sync) => sync.scope === scope && sync.status !== 'running'),
    );
    return seenAs(done && job.json.status === 'completed', { syncs, job: job.json });
  });
  await until('each platform has a finished spend sync', async () => {
    const runs = (await http('GET', '/v1/spend/sync-runs', { apiKey })).json.runs as {
      provider: string;
      status: string;
    }[];
    const done = ['meta', 'google', 'tiktok'].every((provider) =>
      runs.some((run) => run.provider === provider && run.status !== 'running'),
    );
    return seenAs(done, runs);
  });
  // Refreshes: Google and TikTok made due twice; worker-refresh's sweep (every second) renews them.
  for (let round = 1; round <= 2; round += 1) {
    const due = ['google', 'tiktok'].map((provider) => connectionOf(provider).id);
    await env.db.updateTable('connections').set({ next_refresh_at: new Date() }).where('id', 'in', due).execute();
    await until(`Google and TikTok were refreshed (round ${round})`, async () => {
      const [google, tiktok] = await Promise.all(
        ['google', 'tiktok'].map((provider) =>
          findConnection(env.db, { tenantId, connectionId: connectionOf(provider).id }),
        ),
      );
      const seen = { google: google?.credentials_version, tiktok: tiktok?.credentials_version };
      return seenAs((seen.google ?? 0) >= versions.google + round && (seen.tiktok ?? 0) >= versions.tiktok + round, {
        versions,
        seen,
      });
    });
  }

  // A grant revoked at Google: needs_reauth at the next refresh, and a signed webhook tells the brand.
  await controlSimulator(testbed.sim.url, 'revoke', { platform: 'google' });
  await env.db
    .updateTable('connections')
    .set({ next_refresh_at: new Date() })
    .where('id', '=', connectionOf('google').id)
    .execute();
  await until('the brand hears that Google needs re-authorization', async () =>
    seenAs(
      deliveries.some((delivery) => delivery.body.includes('connection.needs_reauth')),
      deliveries.map((delivery) => delivery.body),
    ),
  );
  const delivered = deliveries.find((delivery) => delivery.body.includes('connection.needs_reauth'));
  expect(
    verifyWebhook(rotatedSecret, delivered?.body ?? '', delivered?.signature ?? '', Math.floor(Date.now() / 1000)),
  ).toBe(true);
  // TikTok disconnected: revoked at the platform with its token.
  const disconnected = await http('POST', `/v1/connections/${connectionOf('tiktok').id}/disconnect`, { apiKey });
  expect(disconnected.status).toBe(200);

  // What operators and the brand see afterwards: every queue on the board, job by job, and the views.
  for (const queue of ['refresh', 'spend-hourly', 'spend-nightly', 'capi-events', 'klaviyo-sync', 'webhooks']) {
    for (const status of ['latest', 'failed', 'completed', 'delayed']) {
      const board = await http('GET', `/queues/api/queues?activeQueue=${queue}&status=${status}&jobsPerPage=100`, {
        headers: asOperator,
      });
      const shown = (board.json.queues as { name: string; jobs: { id: string }[] }[]).find((row) => row.name === queue);
      for (const job of (shown?.jobs ?? []).slice(0, 10)) {
        await http('GET', `/queues/api/queues/${queue}/${encodeURIComponent(job.id)}`, { headers: asOperator });
      }
    }
  }
  for (const path of ['/v1/connections', '/v1/events/destinations', '/v1/events/dead-letters', '/v1/klaviyo/syncs']) {
    await http('GET', path, { apiKey });
  }
  await http('GET', '/v1/operator/dead-letters', { headers: asOperator });
  await http('GET', '/v1/connections/not-a-connection', { apiKey });

  for (const worker of workers.values()) await worker.stop();
  const credentials = await collector.stop();
  for (const [value, name] of credentials) secret(name, value);
  const byKind = (kind: string) => [...credentials.values()].filter((name) => name.startsWith(kind)).length;
  // Refreshes issued new tokens, and the collector saw them.
  expect(byKind('google access_token')).toBeGreaterThanOrEqual(3);
  expect(byKind('tiktok access_token')).toBeGreaterThanOrEqual(3);
  expect(byKind('tiktok refresh_token')).toBeGreaterThanOrEqual(3);

  // PKCE verifiers, sealed in the OAuth state rows.
  const states = await env.db.selectFrom('oauth_states').selectAll().where('tenant_id', '=', tenantId).execute();
  for (const row of states) {
    if (row.pkce_verifier_ciphertext === null) continue;
    const context = { tenantId, connectionId: `oauth-state:${row.nonce}`, field: 'pkce_verifier' };
    secret(
      `${row.provider} PKCE verifier`,
      openSecret(testbed.gateway.deps.keyring, row.pkce_verifier_ciphertext, context),
    );
  }
  // The configuration's secrets: the platforms' app credentials as the gateway resolves them.
  const { settings } = resolveProviders(
    parseEnv(gatewayConfigSchema, {
      NODE_ENV: 'test',
      SIMULATOR_URL: testbed.sim.url,
      PUBLIC_BASE_URL: testbed.gateway.url,
    }),
  );
  secret('Meta app secret', settings.meta.appSecret);
  secret('Google client secret', settings.google.clientSecret);
  secret('Google developer token', settings.google.developerToken);
  secret('TikTok app secret', settings.tiktok.secret);
  secret('Klaviyo client secret', settings.klaviyo.clientSecret);
  secret('OAUTH_STATE_SECRET', OAUTH_STATE_SECRET);
  secret('ENCRYPTION_KEYS', ENCRYPTION_KEYS, {
    alsoAs: [ENCRYPTION_KEY.toString('base64'), ENCRYPTION_KEY.toString('base64url'), ENCRYPTION_KEY.toString('hex')],
  });
  secret('the encryption key', ENCRYPTION_KEY.toString('base64'));

  // Planted: a line in the gateway's log and a value of every kind in Redis, each holding a made-up secret
  // in a different spelling. The scan must find every one of them where it was planted.
  const planted = (label: string) => ({
    name: `planted ${label}`,
    value: `canary-${label}-${randomBytes(12).toString('base64url')}`,
  });
  const canaries = {
    log: planted('log'),
    string: planted('string'),
    hash: planted('hash'),
    list: planted('list'),
    set: planted('set'),
    zset: planted('zset'),
    stream: planted('stream'),
  };
  const key = (kind: string) => `${env.queuePrefix}:scan-canary:${kind}`;
  testbed.gateway.deps.logger.warn(`a line that gives away ${canaries.log.value}`);
  await env.redis.set(key('string'), JSON.stringify({ note: canaries.string.value }));
  await env.redis.hset(
    key('hash'),
    'data',
    JSON.stringify({ blob: Buffer.from(`x:${canaries.hash.value}`).toString('base64') }),
  );
  await env.redis.rpush(key('list'), `token=${encodeURIComponent(canaries.list.value)}`);
  await env.redis.sadd(key('set'), JSON.stringify(canaries.set.value));
  await env.redis.zadd(key('zset'), 1, Buffer.from(`yz${canaries.zset.value}`).toString('base64url'));
  await env.redis.xadd(key('stream'), '*', 'failedReason', `failed with ${canaries.stream.value}`);

  // Everything captured.
  const sources: ScanSource[] = [];
  const logLines: Record<string, number> = {};
  const addLines = (process: string, text: string) => {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    logLines[process] = lines.length;
    for (const [index, line] of lines.entries()) sources.push({ name: `log ${process}:${index + 1}`, text: line });
  };
  addLines('gateway', gatewayLines.join('\n'));
  for (const [app, worker] of workers) addLines(app, worker.output());
  const redis = await readRedisEntries(env.redis, env.queuePrefix);
  for (const entry of redis.entries) {
    sources.push({ name: `redis ${entry.key} ${entry.part}`, text: `${entry.key}\n${entry.part}\n${entry.value}` });
  }
  sources.push(...answers);
  for (const [index, delivery] of deliveries.entries()) {
    sources.push({ name: `webhook delivery ${index + 1}`, text: delivery.text });
  }
  const database = await snapshotDatabase(env.db);
  let rows = 0;
  for (const [table, texts] of Object.entries(database)) {
    rows += texts.length;
    for (const text of texts) sources.push({ name: `row ${table}`, text });
  }

  const hits = scanForSecrets([...secrets, ...Object.values(canaries)], sources);
  const where = (canary: { name: string }) => hits.filter((hit) => hit.secret === canary.name).map((hit) => hit.source);
  expect(where(canaries.log)).toEqual([expect.stringMatching(/^log gateway:\d+$/)]);
  for (const kind of ['string', 'hash', 'list', 'set', 'zset', 'stream'] as const) {
    expect(where(canaries[kind]), kind).toEqual([expect.stringContaining(`redis ${key(kind)}`)]);
  }

  const totalLines = Object.values(logLines).reduce((sum, count) => sum + count, 0);
  const spellings = secrets.reduce((sum, each) => sum + secretForms(each).length, 0);
  const found = hits.filter((hit) => !hit.secret.startsWith('planted '));
  console.log(
    `scanned ${totalLines.toLocaleString('en')} log lines (${Object.entries(logLines)
      .map(([process, count]) => `${process} ${count.toLocaleString('en')}`)
      .join(', ')}), ${redis.keys.toLocaleString('en')} Redis keys (${redis.entries.length.toLocaleString(
      'en',
    )} entries), ${answers.length} HTTP answers, ${deliveries.length} webhook deliveries and ${rows.toLocaleString(
      'en',
    )} database rows for ${secrets.length} secrets (${spellings} spellings): ${found.length} hits; ` +
      `the ${Object.keys(canaries).length} planted secrets were all found`,
  );
  expect(found).toEqual([]);

  // The scan was not vacuous: every process's log was read (the workers log starts, stops and failures: a
  // refused CAPI token's failed attempts with their errors, a grant that needs re-authorization), and the
  // fleet left its work in Redis.
  expect(logLines.gateway).toBeGreaterThan(100);
  for (const app of WORKERS) expect(workers.get(app)?.output(), app).toContain(`${app} started`);
  expect(workers.get('worker-capi')?.output()).toMatch(/"err":\{.*"msg":"job attempt failed"/);
  // Whichever worker used the revoked grant first found it out (the sweep's refresh or a sync's).
  const workerOutput = WORKERS.map((app) => workers.get(app)?.output() ?? '').join('\n');
  expect(workerOutput).toContain('connection needs re-authorization');
  expect(redis.keys).toBeGreaterThan(50);
  expect(secrets.length).toBeGreaterThanOrEqual(30);
  expect(webhookSecret).not.toBe(rotatedSecret);
}, 240_000);
