// Credentials are checked before a body is read, and guessing them is slowed down (security review, issue 19
// item 4), tried as an attacker would: big and broken bodies without credentials, hundreds of wrong sign-ins,
// operator passwords and API keys, and one key's flood across two gateway replicas.
// The gateways trust a proxy so that each test can speak from its own client address (X-Forwarded-For).

import { connect } from 'node:net';
import { DEV_OPERATOR_TOKEN } from '@adsync/config';
import { createDatabase, createTenantWithKey, type Db, upsertOperator } from '@adsync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';
import { listRoutes } from '../testing/route-list.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

// The production defaults, behind a trusted proxy.
const testbed = useGatewayWithSimulator({ rateLimits: 'defaults', environment: { TRUST_PROXY: 'true' } });
const { env } = testbed;

let nextAddress = 1;
/** A client address of its own for each attacker, so the tests' counts never mix. */
function newClient(): string {
  nextAddress += 1;
  return `198.51.100.${nextAddress}`;
}

function from(address: string, headers: Record<string, string> = {}): Record<string, string> {
  return { 'x-forwarded-for': address, ...headers };
}

async function codeOf(response: Response): Promise<string> {
  const text = await response.text();
  return (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
}

async function countRows(db: Db, table: 'admin_sessions' | 'tenant_api_keys'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('before the body is read', () => {
  it('every /v1 route answers 401 to a broken body without credentials, never 400', async () => {
    const routes = listRoutes(testbed.gateway.app).filter(
      (route) => / \/v1\//.test(route) && !route.includes('/v1/operator/') && !route.startsWith('GET '),
    );
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const [method = '', path = ''] = route.split(' ');
      const url = testbed.gateway.url + path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');
      const answer = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...from(newClient()) },
        body: '{"broken": ',
      });
      expect({ route, status: answer.status }).toEqual({ route, status: 401 });
    }
  });

  it('a 3.8 MB body without credentials is answered 401 before it is sent', async () => {
    const { port } = new URL(testbed.gateway.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('error', reject);
      // Only the headers and the first bytes: a gateway that reads the body before authenticating waits
      // for the other 3.8 MB and never answers.
      socket.write(
        'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          `content-length: ${3_800_000}\r\nx-forwarded-for: ${newClient()}\r\n\r\n{"events": [`,
      );
      setTimeout(() => reject(new Error('no answer while the body was still unsent')), 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('an unknown API key costs no write: a gateway on a read-only database still answers 401', async () => {
    const url = new URL(env.databaseUrl);
    url.searchParams.set('options', '-c default_transaction_read_only=on');
    const readOnly = createDatabase({ url: url.toString(), poolMax: 2 });
    const gateway = await startTestGateway({ db: readOnly, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix });
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const answer = await fetch(`${gateway.url}/v1/connections`, {
          headers: { authorization: `Bearer adsync_unknown-${attempt}-${'x'.repeat(40)}` },
        });
        expect(answer.status).toBe(401);
        expect(await codeOf(answer)).toBe('unauthorized');
      }
    } finally {
      await gateway.close();
      await readOnly.destroy();
    }
  });
});

function expectRateLimited(answer: Response): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(answer.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
  expect(answer.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(answer.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
}

describe('guessing is slowed down', () => {
  it('200 wrong sign-ins: 429 after the limit, then even the right key from that address is not checked', async () => {
    const { apiKey } = await createTenantWithKey(env.db, { name: 'Signed in', keyName: 't' });
    const attacker = newClient();
    const sessionsBefore = await countRows(env.db, 'admin_sessions');
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const answer = await fetch(`${testbed.gateway.url}/admin/sign-in`, {
        method: 'POST',
        headers: from(attacker, { 'content-type': 'application/json' }),
        body: JSON.stringify({ apiKey: `adsync_guess-${attempt}` }),
      });
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
      else await answer.body?.cancel();
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(180);
    if (limited === undefined) throw new Error('never limited');
    expectRateLimited(limited);
    expect(await codeOf(limited)).toBe('rate_limited');

    const right = await fetch(`${testbed.gateway.url}/admin/sign-in`, {
      method: 'POST',
      headers: from(attacker, { 'content-type': 'application/json' }),
      body: JSON.stringify({ apiKey }),
    });
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie()).toEqual([]);
    expect(await countRows(env.db, 'admin_sessions')).toBe(sessionsBefore);
    // Another address signs in with the same key as usual.
    const elsewhere = await fetch(`${testbed.gateway.url}/admin/sign-in`, {
      method: 'POST',
      headers: from(newClient(), { 'content-type': 'application/json' }),
      body: JSON.stringify({ apiKey }),
    });
    expect(elsewhere.status).toBe(200);
  });

  it('the sign-in pages are limited per address even with nothing wrong', async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 35; attempt += 1) {
      const answer = await fetch(`${testbed.gateway.url}/admin/sign-in`, {
        method: 'POST',
        headers: from(client, { 'content-type': 'application/json' }),
        body: '{}',
      });
      statuses.push(answer.status);
      await answer.body?.cancel();
    }
    expect(statuses.slice(0, 30).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
  });

  it('100 wrong operator passwords: 429 after the limit, and the right one from there too', async () => {
    await upsertOperator(env.db, { email: 'ops@adsync.test', role: 'admin', token: DEV_OPERATOR_TOKEN });
    const basic = (password: string) => `Basic ${Buffer.from(`ops@adsync.test:${password}`).toString('base64')}`;
    const attacker = newClient();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const answer = await fetch(`${testbed.gateway.url}/queues/api/queues`, {
        headers: from(attacker, { authorization: basic(`wrong-${attempt}`) }),
      });
      statuses.push(answer.status);
      if (attempt === 99) expectRateLimited(answer);
      await answer.body?.cancel();
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(80);
    const right = await fetch(`${testbed.gateway.url}/queues/api/queues`, {
      headers: from(attacker, { authorization: basic(DEV_OPERATOR_TOKEN) }),
    });
    expect(right.status).toBe(429);
    const elsewhere = await fetch(`${testbed.gateway.url}/queues/api/queues`, {
      headers: from(newClient(), { authorization: basic(DEV_OPERATOR_TOKEN) }),
    });
    expect(elsewhere.status).toBe(200);
  });

  it('unknown API keys lock their address out; a key in use from there keeps working', async () => {
    const inUse = await createTenantWithKey(env.db, { name: 'Busy backend', keyName: 't' });
    const idle = await createTenantWithKey(env.db, { name: 'Idle backend', keyName: 't' });
    const shared = newClient();
    const call = (key: string) =>
      fetch(`${testbed.gateway.url}/v1/connections`, { headers: from(shared, { authorization: `Bearer ${key}` }) });
    expect((await call(inUse.apiKey)).status).toBe(200);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 30; attempt += 1) {
      const answer = await call(`adsync_revoked-or-guessed-${attempt}`);
      statuses.push(answer.status);
      await answer.body?.cancel();
    }
    expect(statuses.filter((status) => status === 401)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    expect((await call(inUse.apiKey)).status).toBe(200);
    expect((await call(idle.apiKey)).status).toBe(429);
  });
});

describe('per API key, across replicas', () => {
  let replicas: TestGateway[] = [];
  beforeAll(async () => {
    const environment = { RATE_LIMIT_API: '6/1m', RATE_LIMIT_EVENTS: '3/1m' };
    const start = () =>
      startTestGateway({ db: env.db, redisUrl: env.redisUrl, queuePrefix: env.queuePrefix, environment });
    replicas = [await start(), await start()];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
  });

  it('one key gets its limit in all, whichever replica it reaches; another key is not slowed', async () => {
    const busy = await createTenantWithKey(env.db, { name: 'Flooding', keyName: 't' });
    const calm = await createTenantWithKey(env.db, { name: 'Calm', keyName: 't' });
    const call = (replica: number, key: string, path = '/v1/connections') =>
      fetch(`${replicas[replica]?.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const answer = await call(attempt % 2, busy.apiKey);
      statuses.push(answer.status);
      if (attempt === 0) {
        expect(answer.headers.get('ratelimit-limit')).toBe('6');
        expect(answer.headers.get('ratelimit-remaining')).toBe('5');
      }
      if (attempt === 7) expectRateLimited(answer);
      await answer.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expect((await call(0, calm.apiKey)).status).toBe(200);
    // Event ingest is counted apart: the key's API budget being spent does not stop its events.
    const events = await fetch(`${replicas[1]?.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${busy.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [] }),
    });
    expect(events.status).toBe(400);
    expect(events.headers.get('ratelimit-limit')).toBe('3');
  });
});
