// The event destinations API over HTTP: a dedicated token is sealed to its row and never shown, a connection
// token source must be the caller's own live connection of the same platform, bad input is refused with a
// stable code and writes nothing, one live destination per pixel, deletes free the pixel, tenants see only
// their own destinations, event ingest follows every change at once, and no token reaches the logs.

import { randomBytes, randomUUID } from 'node:crypto';
import { openSecret } from '@adsync/crypto';
import { createTenantWithKey, listConnections } from '@adsync/db';
import { createCapturingLogger } from '@adsync/testing';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const { logger, lines } = createCapturingLogger('gateway');
const testbed = useGatewayWithSimulator({
  logger,
});
const { env } = testbed;
const PATH = '/v1/events/destinations';

/** Every dedicated token and API key this file sends: none may reach a log line. */
const secrets: string[] = [];
function newToken(): string {
  const token = `EAAG${randomBytes(24).toString('hex')}`;
  secrets.push(token);
  return token;
}

async function newBrand(name: string) {
  const brand = await createTenantWithKey(env.db, { name, keyName: 'test' });
  secrets.push(brand.apiKey);
  return brand;
}

const ACCOUNTS = { meta: 'act_1000000002', tiktok: '7000000000000000005' } as const;

/** The brand's connection to the platform, made through the real flow against the simulator. */
async function connect(brand: { tenant: { id: string }; apiKey: string }, provider: 'meta' | 'tiktok') {
  await connectByHttp(testbed.gateway.url, brand.apiKey, provider, { accounts: [ACCOUNTS[provider]] });
  const connection = (await listConnections(env.db, brand.tenant.id)).find((row) => row.provider === provider);
  if (connection === undefined) throw new Error(`the ${provider} connection was not stored`);
  return connection;
}

function call(apiKey: string, method: string, path: string, body?: unknown) {
  return api(testbed.gateway.url, apiKey, method, path, body);
}

function rows(tenantId: string) {
  return env.db
    .selectFrom('capi_destinations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .execute();
}

async function row(id: string) {
  return env.db.selectFrom('capi_destinations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function opened(tenantId: string, destinationId: string, sealed: string | null): string {
  if (sealed === null) throw new Error('no sealed token');
  const context = { tenantId, connectionId: destinationId, field: 'capi_access_token' };
  return openSecret(testbed.gateway.deps.keyring, sealed, context);
}

it('creates a destination with a dedicated token, sealed to its row and never shown', async () => {
  const brand = await newBrand('Dedicated');
  const token = newToken();
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '1234567890',
    accessToken: token,
    testEventCode: 'TEST123',
  });
  expect(created.status).toBe(201);
  const id = String(created.body.id);
  expect(created.body).toEqual({
    id,
    provider: 'meta',
    name: 'Meta pixel 1234567890',
    pixelId: '1234567890',
    tokenSource: 'dedicated',
    connectionId: null,
    testEventCode: 'TEST123',
    enabled: true,
    lastDeliveredAt: null,
    lastError: null,
    createdAt: expect.any(String),
  });
  expect(JSON.stringify(created.body)).not.toContain(token);

  const stored = await row(id);
  expect(stored.tenant_id).toBe(brand.tenant.id);
  expect(stored.connection_id).toBeNull();
  expect(stored.access_token_ciphertext).toMatch(/^v1\./);
  expect(stored.access_token_ciphertext).not.toContain(token);
  expect(opened(brand.tenant.id, id, stored.access_token_ciphertext)).toBe(token);
  // Bound to this destination: the same ciphertext does not open as another row's.
  expect(() => opened(brand.tenant.id, randomUUID(), stored.access_token_ciphertext)).toThrow();

  const read = await call(brand.apiKey, 'GET', `${PATH}/${id}`);
  expect(read.status).toBe(200);
  expect(read.body).toEqual(created.body);
  expect((await call(brand.apiKey, 'GET', PATH)).body).toEqual({ destinations: [created.body] });

  const tiktok = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: 'C4A1B2C3D4E5F6G7H8',
    name: '  Storefront  ',
    accessToken: newToken(),
  });
  expect(tiktok.status).toBe(201);
  expect(tiktok.body).toMatchObject({ provider: 'tiktok', name: 'Storefront', testEventCode: null });
  const defaultName = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: 'CABCDE',
    accessToken: newToken(),
  });
  expect(defaultName.body.name).toBe('TikTok pixel CABCDE');
  expect(((await call(brand.apiKey, 'GET', PATH)).body.destinations as unknown[]).length).toBe(3);
});

it('creates a destination that sends with a connected Meta connection', async () => {
  const brand = await newBrand('Connected');
  const connection = await connect(brand, 'meta');
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '555000111',
    connectionId: connection.id,
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ tokenSource: 'connection', connectionId: connection.id, enabled: true });
  const stored = await row(String(created.body.id));
  expect(stored.connection_id).toBe(connection.id);
  expect(stored.access_token_ciphertext).toBeNull();
});

it('refuses bad input with a stable code and writes nothing', async () => {
  const brand = await newBrand('Careless');
  const other = await newBrand('Other');
  const lapsed = await newBrand('Lapsed');
  const tiktok = await connect(brand, 'tiktok');
  const foreign = await connect(other, 'meta');
  const disconnected = await connect(lapsed, 'meta');
  expect((await call(lapsed.apiKey, 'POST', `/v1/connections/${disconnected.id}/disconnect`)).status).toBe(200);

  const meta = { provider: 'meta', pixelId: '1234567890' };
  const badToken = `${newToken()} trailing`;
  const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
    ['neither source', brand.apiKey, meta, 'invalid_request', /exactly one of connectionId .* or accessToken/],
    [
      'both sources',
      brand.apiKey,
      { ...meta, accessToken: newToken(), connectionId: tiktok.id },
      'invalid_request',
      /exactly one of connectionId/,
    ],
    [
      'letters in a Meta pixel id',
      brand.apiKey,
      { ...meta, pixelId: 'abc123', accessToken: newToken() },
      'invalid_request',
      /pixelId: a Meta pixel \(dataset\) id is 1 to 20 digits/,
    ],
    [
      'a 21-digit Meta pixel id',
      brand.apiKey,
      { ...meta, pixelId: '1'.repeat(21), accessToken: newToken() },
      'invalid_request',
      /pixelId/,
    ],
    [
      'a short TikTok pixel code',
      brand.apiKey,
      { provider: 'tiktok', pixelId: 'C4A1', accessToken: newToken() },
      'invalid_request',
      /pixelId: a TikTok pixel code is 5 to 40 letters and digits/,
    ],
    ['an unknown field', brand.apiKey, { ...meta, accessToken: newToken(), pixel: '1' }, 'invalid_request', /pixel/],
    [
      'an unsupported platform',
      brand.apiKey,
      { provider: 'google', pixelId: '1', accessToken: newToken() },
      'invalid_request',
      /provider/,
    ],
    [
      'whitespace in the token',
      brand.apiKey,
      { ...meta, accessToken: badToken },
      'invalid_request',
      /accessToken: must be 1 to 2000 characters without whitespace/,
    ],
    [
      'a bad test event code',
      brand.apiKey,
      { ...meta, accessToken: newToken(), testEventCode: 'TEST 1!' },
      'invalid_request',
      /testEventCode/,
    ],
    [
      'a 101-character name',
      brand.apiKey,
      { ...meta, accessToken: newToken(), name: 'n'.repeat(101) },
      'invalid_request',
      /name/,
    ],
    [
      'a connection id that is not a UUID',
      brand.apiKey,
      { ...meta, connectionId: 'conn-1' },
      'invalid_request',
      /connectionId/,
    ],
    [
      'a connection of another platform',
      brand.apiKey,
      { ...meta, connectionId: tiktok.id },
      'invalid_connection',
      /this is a TikTok connection; a Meta destination needs a Meta connection/,
    ],
    [
      'another tenant’s connection',
      brand.apiKey,
      { ...meta, connectionId: foreign.id },
      'invalid_connection',
      /^connectionId: this tenant has no connection with this id\.$/,
    ],
    [
      'a connection that does not exist',
      brand.apiKey,
      { ...meta, connectionId: randomUUID() },
      'invalid_connection',
      /^connectionId: this tenant has no connection with this id\.$/,
    ],
    [
      'a disconnected connection',
      lapsed.apiKey,
      { ...meta, connectionId: disconnected.id },
      'invalid_connection',
      /this connection is disconnected/,
    ],
  ];
  for (const [label, apiKey, body, code, message] of cases) {
    const answer = await call(apiKey, 'POST', PATH, body);
    expect(answer.status, label).toBe(400);
    expect(answer.body.error?.code, label).toBe(code);
    expect(answer.body.error?.message, label).toMatch(message);
    expect(JSON.stringify(answer.body), label).not.toContain(badToken.split(' ')[0]);
  }
  const noBody = await call(brand.apiKey, 'POST', PATH);
  expect(noBody.status).toBe(400);
  expect((await api(testbed.gateway.url, 'adsync_not-a-key', 'POST', PATH, { ...meta, accessToken: 'x' })).status).toBe(
    401,
  );

  for (const tenant of [brand, other, lapsed]) expect(await rows(tenant.tenant.id)).toEqual([]);
});

it('keeps one live destination per pixel', async () => {
  const brand = await newBrand('Duplicate');
  const firstToken = newToken();
  const first = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '987654',
    accessToken: firstToken,
  });
  expect(first.status).toBe(201);
  const again = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '987654',
    accessToken: newToken(),
  });
  expect(again.status).toBe(409);
  expect(again.body.error).toMatchObject({ code: 'destination_exists', details: { destinationId: first.body.id } });
  expect(await rows(brand.tenant.id)).toHaveLength(1);
  const kept = await row(String(first.body.id));
  expect(opened(brand.tenant.id, kept.id, kept.access_token_ciphertext)).toBe(firstToken);

  // The same id on the other platform, or for another tenant, is another pixel.
  const tiktok = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: '987654',
    accessToken: newToken(),
  });
  expect(tiktok.status).toBe(201);
  const otherBrand = await newBrand('Duplicate elsewhere');
  const elsewhere = await call(otherBrand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '987654',
    accessToken: newToken(),
  });
  expect(elsewhere.status).toBe(201);
});

it('PATCH rotates the token, switches the source, toggles enabled and clears the test event code', async () => {
  const brand = await newBrand('Patcher');
  const metaConnection = await connect(brand, 'meta');
  const tiktokConnection = await connect(brand, 'tiktok');
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '1112223334',
    accessToken: newToken(),
    testEventCode: 'TEST42',
  });
  const id = String(created.body.id);
  const path = `${PATH}/${id}`;
  const before = await row(id);

  const rotatedToken = newToken();
  const rotated = await call(brand.apiKey, 'PATCH', path, { accessToken: rotatedToken });
  expect(rotated.status).toBe(200);
  expect(rotated.body).toMatchObject({ tokenSource: 'dedicated', connectionId: null, testEventCode: 'TEST42' });
  expect(JSON.stringify(rotated.body)).not.toContain(rotatedToken);
  const afterRotation = await row(id);
  expect(afterRotation.access_token_ciphertext).not.toBe(before.access_token_ciphertext);
  expect(opened(brand.tenant.id, id, afterRotation.access_token_ciphertext)).toBe(rotatedToken);

  const toConnection = await call(brand.apiKey, 'PATCH', path, { connectionId: metaConnection.id });
  expect(toConnection.status).toBe(200);
  expect(toConnection.body).toMatchObject({ tokenSource: 'connection', connectionId: metaConnection.id });
  expect(await row(id)).toMatchObject({ connection_id: metaConnection.id, access_token_ciphertext: null });

  const backToken = newToken();
  const toDedicated = await call(brand.apiKey, 'PATCH', path, { accessToken: backToken });
  expect(toDedicated.body).toMatchObject({ tokenSource: 'dedicated', connectionId: null });
  const dedicatedAgain = await row(id);
  expect(dedicatedAgain.connection_id).toBeNull();
  expect(opened(brand.tenant.id, id, dedicatedAgain.access_token_ciphertext)).toBe(backToken);

  expect((await call(brand.apiKey, 'PATCH', path, { enabled: false })).body.enabled).toBe(false);
  expect((await row(id)).enabled).toBe(false);
  const reenabled = await call(brand.apiKey, 'PATCH', path, { enabled: true, name: 'Main store' });
  expect(reenabled.body).toMatchObject({ enabled: true, name: 'Main store' });
  const cleared = await call(brand.apiKey, 'PATCH', path, { testEventCode: null });
  expect(cleared.status).toBe(200);
  expect(cleared.body.testEventCode).toBeNull();
  expect((await row(id)).test_event_code).toBeNull();
  expect((await call(brand.apiKey, 'GET', path)).body).toEqual(cleared.body);

  // Bad changes change nothing.
  const settled = await row(id);
  const refusals: [Record<string, unknown> | undefined, string, RegExp][] = [
    [{}, 'invalid_request', /at least one of/],
    [undefined, 'invalid_request', /at least one of/],
    [{ accessToken: newToken(), connectionId: metaConnection.id }, 'invalid_request', /not both/],
    [{ enabled: 'no' }, 'invalid_request', /enabled/],
    [{ pixelId: '1' }, 'invalid_request', /pixelId/],
    [{ provider: 'tiktok' }, 'invalid_request', /provider/],
    [{ name: '' }, 'invalid_request', /name/],
    [{ testEventCode: 'a b' }, 'invalid_request', /testEventCode/],
    [{ accessToken: '' }, 'invalid_request', /accessToken/],
    [{ connectionId: tiktokConnection.id }, 'invalid_connection', /TikTok connection/],
    [{ connectionId: randomUUID() }, 'invalid_connection', /no connection with this id/],
  ];
  for (const [body, code, message] of refusals) {
    const answer = await call(brand.apiKey, 'PATCH', path, body);
    expect(answer.status, JSON.stringify(body)).toBe(400);
    expect(answer.body.error?.code, JSON.stringify(body)).toBe(code);
    expect(answer.body.error?.message, JSON.stringify(body)).toMatch(message);
  }
  expect(await row(id)).toEqual(settled);

  await call(brand.apiKey, 'POST', `/v1/connections/${metaConnection.id}/disconnect`);
  const toDisconnected = await call(brand.apiKey, 'PATCH', path, { connectionId: metaConnection.id });
  expect(toDisconnected.body.error?.code).toBe('invalid_connection');
  expect(await row(id)).toEqual(settled);
});

it('DELETE hides a destination, wipes its token and frees its pixel', async () => {
  const brand = await newBrand('Deleter');
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: 'CPIXEL0001',
    accessToken: newToken(),
  });
  const id = String(created.body.id);
  const kept = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: 'CPIXEL0002',
    accessToken: newToken(),
  });

  const deleted = await fetch(`${testbed.gateway.url}${PATH}/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${brand.apiKey}` },
  });
  expect(deleted.status).toBe(204);
  expect(await deleted.text()).toBe('');
  const stored = await row(id);
  expect(stored.deleted_at).not.toBeNull();
  expect(stored.access_token_ciphertext).toBeNull();

  for (const [method, body] of [['GET'], ['PATCH', { enabled: false }], ['DELETE']] as const) {
    const answer = await call(brand.apiKey, method, `${PATH}/${id}`, body);
    expect(answer.status, method).toBe(404);
    expect(answer.body.error?.code, method).toBe('destination_not_found');
  }
  expect((await call(brand.apiKey, 'GET', PATH)).body).toEqual({ destinations: [kept.body] });
  for (const method of ['GET', 'PATCH', 'DELETE']) {
    const answer = await call(
      brand.apiKey,
      method,
      `${PATH}/not-a-uuid`,
      method === 'PATCH' ? { enabled: true } : undefined,
    );
    expect(answer.status, method).toBe(404);
    expect(answer.body.error?.code, method).toBe('destination_not_found');
  }

  const recreated = await call(brand.apiKey, 'POST', PATH, {
    provider: 'tiktok',
    pixelId: 'CPIXEL0001',
    accessToken: newToken(),
  });
  expect(recreated.status).toBe(201);
  expect(recreated.body.id).not.toBe(id);
  expect(await rows(brand.tenant.id)).toHaveLength(3);
});

it("tenant B cannot read, change or delete tenant A's destination", async () => {
  const a = await newBrand('A');
  const b = await newBrand('B');
  const created = await call(a.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '4242424242',
    accessToken: newToken(),
  });
  const id = String(created.body.id);
  const before = await row(id);

  expect((await call(b.apiKey, 'GET', PATH)).body).toEqual({ destinations: [] });
  const attempts: [string, unknown?][] = [
    ['GET'],
    ['PATCH', { enabled: false }],
    ['PATCH', { accessToken: newToken() }],
    ['DELETE'],
  ];
  for (const [method, body] of attempts) {
    const answer = await call(b.apiKey, method, `${PATH}/${id}`, body);
    expect(answer.status, method).toBe(404);
    expect(answer.body.error?.code, method).toBe('destination_not_found');
  }
  expect(await row(id)).toEqual(before);
  expect((await call(a.apiKey, 'GET', `${PATH}/${id}`)).body).toEqual(created.body);
});

it('event ingest follows every change at once', async () => {
  const brand = await newBrand('Cached');
  const post = async () => {
    const event = {
      id: `order-${randomBytes(6).toString('hex')}`,
      name: 'Lead',
      time: Math.floor(Date.now() / 1000),
      actionSource: 'system_generated',
      user: { email: 'someone@example.com' },
    };
    return call(brand.apiKey, 'POST', '/v1/events', { events: [event] });
  };
  expect((await post()).body.error?.code).toBe('no_event_destinations');
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '77777',
    accessToken: newToken(),
  });
  expect((await post()).status).toBe(202);
  const path = `${PATH}/${String(created.body.id)}`;
  await call(brand.apiKey, 'PATCH', path, { enabled: false });
  expect((await post()).body.error?.code).toBe('no_event_destinations');
  await call(brand.apiKey, 'PATCH', path, { enabled: true });
  expect((await post()).status).toBe(202);
  await call(brand.apiKey, 'DELETE', path);
  expect((await post()).body.error?.code).toBe('no_event_destinations');
});

it('no dedicated token or API key reaches the logs', async () => {
  // Its own flows, so this test stands alone; it also scans for every secret the tests above sent.
  const brand = await newBrand('Logged');
  const created = await call(brand.apiKey, 'POST', PATH, {
    provider: 'meta',
    pixelId: '31337',
    accessToken: newToken(),
  });
  await call(brand.apiKey, 'POST', PATH, { provider: 'meta', pixelId: '31337', accessToken: newToken() });
  await call(brand.apiKey, 'POST', PATH, { provider: 'meta', pixelId: 'x', accessToken: newToken() });
  await call(brand.apiKey, 'PATCH', `${PATH}/${String(created.body.id)}`, { accessToken: newToken() });
  await call(brand.apiKey, 'PATCH', `${PATH}/${String(created.body.id)}`, { accessToken: `${newToken()} x` });
  const sealed = (await rows(brand.tenant.id)).flatMap((stored) => stored.access_token_ciphertext ?? []);
  expect(sealed).toHaveLength(1);

  expect(lines.length).toBeGreaterThan(10);
  const logged = lines.join('\n');
  expect(logged).toContain(PATH);
  // Ingest writes no access-log lines (thousands of requests a second); every other route does.
  const accessLogged = lines.flatMap((line) => {
    const entry = JSON.parse(line) as { msg?: string; req?: { path?: string } };
    return entry.msg === 'incoming request' ? [entry.req?.path] : [];
  });
  expect(accessLogged).toContain(PATH);
  expect(accessLogged).not.toContain('/v1/events');
  expect(secrets.length).toBeGreaterThan(20);
  for (const secret of [...secrets, ...sealed]) {
    expect(secret.length).toBeGreaterThan(8);
    expect(logged).not.toContain(secret);
  }
});
