// Fuzzing the tenant API's bodies and path parameters (connections, event destinations, spend settings,
// webhook, onboarding, admin sign-in, Klaviyo): never a 5xx; every refusal is a 4xx with a stable code and
// leaves every table and every Redis key as it was; a success writes only the tables that endpoint owns,
// and only the caller's rows.

import { createTenantWithKey, KLAVIYO_SYNC_SCOPES, listConnections } from '@adsync/db';
import { KLAVIYO_ACCOUNT, KLAVIYO_PRIVATE_KEYS } from '@adsync/simulator';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';
import {
  anyString,
  type BodyText,
  bodyOf,
  databaseChanges,
  describeAnswer,
  fuzzParameters,
  fuzzTimeout,
  hugeString,
  newKeys,
  notAnApiRefusal,
  pathSegment,
  redisKeys,
  send,
  snapshotDatabase,
} from './fuzz-support.ts';

// Klaviyo's rate limits raised a hundredfold: the fuzzer checks keys far faster than a person would, and a
// throttled Klaviyo (503 klaviyo_unavailable) says nothing about how the gateway treats its input.
const testbed = useGatewayWithSimulator({ simulator: { klaviyo: { rateLimitDivisor: 0.01 } } });
const { env } = testbed;
const META_ACCOUNTS = ['act_1000000001', 'act_1000000002'];
const [FULL_KLAVIYO_KEY = '', READONLY_KLAVIYO_KEY = ''] = KLAVIYO_PRIVATE_KEYS.map((entry) => entry.key);

let brand: { tenantId: string; apiKey: string };
const ids = { meta: '', klaviyo: '', otherTenants: '', destination: '' };

beforeAll(async () => {
  const created = await createTenantWithKey(env.db, { name: 'Fuzzed API brand', keyName: 'fuzz' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  // Two accounts shared: the connection waits for the admin to choose.
  await connectByHttp(testbed.gateway.url, brand.apiKey, 'meta', { accounts: META_ACCOUNTS });
  const klaviyo = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/connections/klaviyo/api-key', {
    privateKey: FULL_KLAVIYO_KEY,
  });
  expect(klaviyo.status, JSON.stringify(klaviyo.body)).toBe(201);
  const connections = await listConnections(env.db, brand.tenantId);
  ids.meta = connections.find((row) => row.provider === 'meta')?.id ?? '';
  ids.klaviyo = connections.find((row) => row.provider === 'klaviyo')?.id ?? '';
  const destination = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: '2000000000000001',
    connectionId: ids.meta,
  });
  expect(destination.status, JSON.stringify(destination.body)).toBe(201);
  ids.destination = String(destination.body.id);
  // Another tenant's connection: its id must be as unknown to the brand as a random one.
  const other = await createTenantWithKey(env.db, { name: 'Other brand', keyName: 'fuzz' });
  await connectByHttp(testbed.gateway.url, other.apiKey, 'tiktok', { accounts: ['7000000000000000005'] });
  ids.otherTenants = (await listConnections(env.db, other.tenant.id))[0]?.id ?? '';
}, 90_000);

/** A request the property sends; path segments are already encoded. */
interface Fuzzed {
  method: string;
  path: string;
  body?: BodyText | undefined;
  headers?: Record<string, string> | undefined;
}

interface Endpoint {
  name: string;
  /** Tables a success may write (only the caller's rows). */
  writes: readonly string[];
  request: () => fc.Arbitrary<Fuzzed>;
}

const connectionIds = () => pathSegment([ids.meta, ids.klaviyo, ids.otherTenants]);
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), anyString);
const returnTo = fc.oneof(
  fc.constantFrom('/admin', '/admin/connections?tab=meta', 'https://evil.example/x', '//evil.example', '/\\evil'),
  anyString,
);
const token = fc.stringMatching(/^[A-Za-z0-9_|-]{20,80}$/);
const testEventCode = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const ENDPOINTS: Endpoint[] = [
  {
    name: 'PUT /v1/connections/{id}/accounts',
    writes: ['ad_accounts', 'connections', 'connection_events'],
    request: () =>
      fc.record({
        method: fc.constant('PUT'),
        path: connectionIds().map((id) => `/v1/connections/${id}/accounts`),
        body: bodyOf(
          fc.record({
            selected: fc.subarray([...META_ACCOUNTS, 'act_999', 'pk_other'], { minLength: 0 }),
          }),
        ),
      }),
  },
  {
    name: 'POST /v1/connections/klaviyo/api-key',
    writes: ['ad_accounts', 'connections', 'connection_events'],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/v1/connections/klaviyo/api-key'),
        body: bodyOf(
          fc.record(
            {
              privateKey: fc.oneof(
                fc.constantFrom(FULL_KLAVIYO_KEY, READONLY_KLAVIYO_KEY, ` ${FULL_KLAVIYO_KEY} `, 'pk_'),
                fc.stringMatching(/^pk_[a-z0-9]{10,40}$/),
                anyString.map((text) => `pk_${text}`),
              ),
              publicKey: fc.oneof(
                fc.constantFrom(KLAVIYO_ACCOUNT.publicApiKey, 'XyZ123'),
                fc.string({ minLength: 1, maxLength: 32 }),
              ),
            },
            { requiredKeys: ['privateKey'] },
          ),
        ),
      }),
  },
  {
    name: 'POST /v1/connections/{id}/reconnect',
    writes: ['connect_links'],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: connectionIds().map((id) => `/v1/connections/${id}/reconnect`),
        body: optional(bodyOf(fc.record({ returnTo }, { requiredKeys: [] }))),
      }),
  },
  {
    name: 'POST /v1/events/destinations',
    writes: ['capi_destinations'],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/v1/events/destinations'),
        body: bodyOf(
          fc.oneof(
            fc.record(
              {
                provider: fc.constant('meta'),
                pixelId: fc.stringMatching(/^\d{1,20}$/),
                connectionId: fc.constantFrom(ids.meta, ids.klaviyo, ids.otherTenants),
                name,
                testEventCode,
              },
              { requiredKeys: ['provider', 'pixelId', 'connectionId'] },
            ),
            fc.record(
              {
                provider: fc.constant('tiktok'),
                pixelId: fc.stringMatching(/^[A-Za-z0-9]{5,40}$/),
                accessToken: token,
                name,
                testEventCode,
              },
              { requiredKeys: ['provider', 'pixelId', 'accessToken'] },
            ),
          ),
        ),
      }),
  },
  {
    name: 'PATCH /v1/events/destinations/{id}',
    writes: ['capi_destinations'],
    request: () =>
      fc.record({
        method: fc.constant('PATCH'),
        path: pathSegment([ids.destination]).map((id) => `/v1/events/destinations/${id}`),
        body: bodyOf(
          fc.oneof(
            fc.record({ name }),
            fc.record({ testEventCode: fc.oneof(fc.constant(null), testEventCode) }),
            fc.record({ enabled: fc.boolean() }),
            fc.record({ connectionId: fc.constantFrom(ids.meta, ids.klaviyo, ids.otherTenants) }),
            fc.record({ accessToken: token }),
            fc.record({ name, enabled: fc.boolean(), testEventCode }),
          ),
        ),
      }),
  },
  {
    name: 'PUT /v1/spend/settings',
    writes: ['tenant_spend_settings'],
    request: () => {
      const days = fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer(), fc.double());
      return fc.record({
        method: fc.constant('PUT'),
        path: fc.constant('/v1/spend/settings'),
        body: bodyOf(
          fc.record({
            lookbackDays: fc.record({ meta: days, google: days, tiktok: days }, { requiredKeys: [] }),
          }),
        ),
      });
    },
  },
  {
    name: 'PUT /v1/webhook',
    writes: ['tenants'],
    request: () =>
      fc.record({
        method: fc.constant('PUT'),
        path: fc.constant('/v1/webhook'),
        body: bodyOf(
          fc.record({
            url: fc.oneof(
              fc.webUrl({ withQueryParameters: true, withFragments: true }),
              fc.constantFrom(
                'javascript:alert(1)',
                'ftp://x.example',
                'http://',
                'https://[::1',
                'file:///etc/passwd',
              ),
              anyString,
              hugeString.map((text) => `https://hooks.example/${text}`),
            ),
          }),
        ),
      }),
  },
  {
    name: 'POST /v1/onboarding/{provider}/skip',
    writes: ['onboarding_progress'],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: fc
          .oneof(pathSegment(['meta', 'google', 'tiktok', 'klaviyo']), fc.constantFrom('__proto__', 'constructor'))
          .map((step) => `/v1/onboarding/${step}/skip`),
        body: optional(bodyOf(fc.record({ reason: anyString }))),
      }),
  },
  {
    name: 'POST /admin/sign-in',
    writes: ['admin_sessions'],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/admin/sign-in'),
        body: bodyOf(
          fc.record({
            apiKey: fc.oneof(
              fc.constant(brand.apiKey),
              fc.constant(` ${brand.apiKey}\n`),
              fc.constant(brand.apiKey.toUpperCase()),
              fc.constant(`${brand.apiKey.slice(0, -1)}x`),
              anyString,
            ),
          }),
        ),
        headers: fc.oneof(
          fc.constant({}),
          fc.constant({ origin: testbed.gateway.url }),
          fc.constantFrom({ origin: 'https://evil.example' }, { origin: 'null' }),
        ),
      }),
  },
  {
    name: 'POST /v1/klaviyo/sync',
    writes: [],
    request: () =>
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/v1/klaviyo/sync'),
        body: optional(bodyOf(fc.record({ scope: fc.constantFrom(...KLAVIYO_SYNC_SCOPES, 'all') }))),
      }),
  },
  {
    name: 'PUT /v1/klaviyo/product-mappings/{ref}',
    writes: ['klaviyo_product_mappings'],
    request: () =>
      fc.record({
        method: fc.constant('PUT'),
        path: pathSegment(['sku-1', 'shopify:123', ' spaced ']).map((ref) => `/v1/klaviyo/product-mappings/${ref}`),
        body: bodyOf(fc.record({ catalogItemId: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), anyString) })),
      }),
  },
];

/** The tenant a changed row belongs to (tenants: its own id). */
function ownerOf(table: string, row: unknown): unknown {
  const fields = row as { id?: unknown; tenant_id?: unknown };
  return table === 'tenants' ? fields.id : fields.tenant_id;
}

describe('the tenant API, fuzzed', () => {
  it.each(ENDPOINTS)(
    '$name: a 4xx with a stable code that changed nothing, or a success that wrote only its own rows',
    async (endpoint) => {
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(endpoint.request(), async (fuzzed) => {
          const rowsBefore = await snapshotDatabase(env.db);
          const keysBefore = await redisKeys(env.redis, env.queuePrefix);
          const answer = await send(testbed.gateway.url, {
            ...fuzzed,
            headers: {
              authorization: `Bearer ${brand.apiKey}`,
              ...fuzzed.headers,
            },
          });
          const changes = databaseChanges(rowsBefore, await snapshotDatabase(env.db));
          const addedKeys = newKeys(keysBefore, await redisKeys(env.redis, env.queuePrefix));
          const label = `${fuzzed.method} ${fuzzed.path.slice(0, 200)} ${fuzzed.body?.contentType} ${fuzzed.body?.text.slice(0, 300)} → ${describeAnswer(answer)}`;
          const outcome = (answer.json as { error?: { code?: string } } | undefined)?.error?.code ?? `${answer.status}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

          expect(answer.status, label).toBeLessThan(500);
          if (answer.status >= 200 && answer.status < 300) {
            for (const [table, { added, removed }] of Object.entries(changes)) {
              expect(endpoint.writes, `wrote ${table}: ${label}`).toContain(table);
              for (const row of [...added, ...removed]) expect(ownerOf(table, row), label).toBe(brand.tenantId);
            }
            return;
          }
          const problem = notAnApiRefusal(answer);
          expect(problem, `${problem}: ${label}`).toBeUndefined();
          expect(changes, `rows written: ${label}`).toEqual({});
          expect(addedKeys, `new Redis keys: ${label}`).toEqual([]);
        }),
        fuzzParameters(),
      );
      // The route's own checks were reached, not only the router's and the body parser's.
      const generic = new Set([
        'bad_request',
        'unsupported_media_type',
        'invalid_url',
        'not_found',
        'path_segment_too_long',
      ]);
      expect(
        [...outcomes.keys()].some((outcome) => !generic.has(outcome)),
        JSON.stringify(Object.fromEntries(outcomes)),
      ).toBe(true);
    },
    fuzzTimeout(),
  );
});

describe('regressions found by fuzzing', () => {
  /** A request that must be refused with `code` and change nothing. */
  async function expectRefused(method: string, path: string, body: unknown, status: number, code: string) {
    const rowsBefore = await snapshotDatabase(env.db);
    const keysBefore = await redisKeys(env.redis, env.queuePrefix);
    const answer = await send(testbed.gateway.url, {
      method,
      path,
      body: body === undefined ? undefined : { text: JSON.stringify(body), contentType: 'application/json' },
      headers: { authorization: `Bearer ${brand.apiKey}` },
    });
    const label = `${method} ${path} → ${describeAnswer(answer)}`;
    expect({ status: answer.status, code: (answer.json as { error?: { code?: string } }).error?.code }, label).toEqual({
      status,
      code,
    });
    expect(databaseChanges(rowsBefore, await snapshotDatabase(env.db)), label).toEqual({});
    expect(newKeys(keysBefore, await redisKeys(env.redis, env.queuePrefix)), label).toEqual([]);
    return answer;
  }

  it('a NUL character anywhere is a 400 saying where, not a 500 from Postgres', async () => {
    const refusals: [string, string, unknown, string][] = [
      [
        'POST',
        '/v1/events/destinations',
        { provider: 'tiktok', pixelId: 'aAa0A', accessToken: '1.0', name: '\u0000' },
        'body at "name"',
      ],
      ['PATCH', `/v1/events/destinations/${ids.destination}`, { name: '\u0000', enabled: false }, 'body at "name"'],
      ['PUT', '/v1/klaviyo/product-mappings/!', { catalogItemId: '\u0000' }, 'body at "catalogItemId"'],
      ['PUT', '/v1/klaviyo/product-mappings/sku%00', { catalogItemId: 'item-1' }, 'path at "productRef"'],
      ['GET', '/v1/klaviyo/catalog-items?after=%00', undefined, 'query at "after"'],
      ['GET', '/v1/klaviyo/product-mappings?after=a%00', undefined, 'query at "after"'],
    ];
    for (const [method, path, body, where] of refusals) {
      const answer = await expectRefused(method, path, body, 400, 'invalid_request');
      const [part, field = ''] = where.split(' at ');
      const { message } = (answer.json as { error: { message: string } }).error;
      expect(message, `${method} ${path}`).toContain(`The request ${part} contains a NUL character`);
      expect(message, `${method} ${path}`).toContain(field);
    }
  });

  it('a Klaviyo key that cannot travel in a header is a 400 naming the field, not a 503 "retry later"', async () => {
    for (const privateKey of ['pk_\u0100', 'pk_caf\u00e9', 'pk_a\nb', 'pk_\u0000']) {
      const answer = await expectRefused(
        'POST',
        '/v1/connections/klaviyo/api-key',
        { privateKey },
        400,
        'invalid_request',
      );
      expect(answer.text).toContain('privateKey');
    }
  });

  it('a destination token that cannot travel in a header is refused instead of failing every delivery', async () => {
    const token = 'EAAB\u0100token';
    await expectRefused(
      'POST',
      '/v1/events/destinations',
      { provider: 'tiktok', pixelId: 'CADSYNCTESTPIXEL01', accessToken: token },
      400,
      'invalid_request',
    );
    await expectRefused(
      'PATCH',
      `/v1/events/destinations/${ids.destination}`,
      { accessToken: token },
      400,
      'invalid_request',
    );
  });

  it('a product ref of up to 255 characters reaches its route; only a path parameter over 512 is a 414', async () => {
    // The router's default limit (100) used to refuse valid product refs before the route saw them.
    const ref = 'r'.repeat(255);
    await expectRefused(
      'PUT',
      `/v1/klaviyo/product-mappings/${ref}`,
      { catalogItemId: 'no-such-item' },
      404,
      'catalog_item_not_found',
    );
    await expectRefused('DELETE', `/v1/klaviyo/product-mappings/${ref}`, undefined, 404, 'mapping_not_found');
    const tooLong = 'a'.repeat(513);
    const answer = await expectRefused(
      'PUT',
      `/v1/connections/${tooLong}/accounts`,
      { selected: [] },
      414,
      'path_segment_too_long',
    );
    // Fastify's own answer echoed the whole URL.
    expect(answer.text).not.toContain(tooLong);
  });
});
