// The tenant-isolation matrix. Tenant A has real data in every tenant table (connections through the
// simulator's consent pages and a Klaviyo key, ad accounts, event destinations with delivered and
// dead-lettered events from the real worker-capi, spend, sync runs and restatements, Klaviyo lists, segments,
// catalog, mappings and list jobs, API keys, sessions, onboarding, webhook, spend settings). Every tenant
// route of the running gateway is then called as tenant B with A's ids — once with B's API key, once with
// B's admin-page session and CSRF token — and B gets 404s, empty lists or its own data, never A's, while
// A's rows and A's Redis entries stay byte for byte the same. The routes come from the app itself: one that
// is neither in the matrix nor in the not-tenant list (with its reason) fails the test.

import { randomUUID } from 'node:crypto';
import {
  applySegmentMembers,
  createTenantWithKey,
  finishKlaviyoSync,
  finishSyncRun,
  issueApiKey,
  listAdAccounts,
  listApiKeys,
  listConnections,
  recordCatalogItems,
  recordKlaviyoGroups,
  startKlaviyoSync,
  startSyncRun,
  writeSpendRows,
} from '@adsync/db';
import { controlSimulator, KLAVIYO_PRIVATE_KEYS, META_PIXELS } from '@adsync/simulator';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DatabaseSnapshot,
  databaseChanges,
  describeAnswer,
  type RawAnswer,
  send,
  snapshotDatabase,
} from '../fuzz/fuzz-support.ts';
import { AdminBrowser } from '../testing/admin-browser.ts';
import { api, connectByHttp, startConnect, TestBrowser } from '../testing/connect-client.ts';
import { connectEventDestinations, META_PIXEL, startCapiWorker, TIKTOK_PIXEL } from '../testing/event-destinations.ts';
import { leadEvent } from '../testing/lead-event.ts';
import { readRedisEntries } from '../testing/redis-entries.ts';
import { listRoutes, type RouteKey } from '../testing/route-list.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const lead = (id: string) => leadEvent(id, { user: { externalId: `customer-${id}` } });

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const [{ key: KLAVIYO_KEY }] = KLAVIYO_PRIVATE_KEYS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Every human-readable value of tenant A carries this word; B's never do. */
const ALPHA = 'alpha';
const SPEND_FROM = '2026-03-01';
const SPEND_TO = '2026-03-02';

interface Brand {
  tenantId: string;
  apiKey: string;
  session: string;
  csrf: string;
}

interface Alpha extends Brand {
  keyIds: string[];
  sessionIds: string[];
  connectionIds: string[];
  metaAccountId: string;
  destinationIds: string[];
  deadLetterIds: string[];
  listId: string;
  segmentId: string;
  listJobIds: string[];
  catalogItemId: string;
  productRef: string;
  /** Every uuid of a row of A (filled once A is set up). */
  ids: string[];
}

interface Bravo extends Brand {
  connections: { meta: string; klaviyo: string };
  adAccountId: string;
  destinationId: string;
}

let a: Alpha;
let b: Bravo;

// ---------------------------------------------------------------------------------------------------------
// Which routes are not tenant routes, and why

const NOT_TENANT_ROUTES: [RegExp, string][] = [
  [/^GET \/healthz$/, 'liveness probe: answers {status: ok}, no tenant and no data'],
  [/^GET \/readyz$/, 'readiness probe: names Postgres and Redis, no tenant data'],
  [/^GET \/docs(\/.*)?$/, 'the OpenAPI document and its UI: the same public text for everyone'],
  [
    /^[A-Z]+ \/queues(\/.*)?$/,
    'Bull Board: operator basic auth on its whole scope (operators/bull-board-auth.integration.test.ts)',
  ],
  [
    /^[A-Z]+ \/v1\/operator\/.+$/,
    "operator routes: operator basic auth, every tenant's rows by design (operators/bull-board-auth.integration.test.ts)",
  ],
  [
    /^GET \/admin(\/\*)?$/,
    'the admin page shell and its script and stylesheet: the same bytes for everyone; data comes through the API',
  ],
  [
    /^(GET|POST) \/admin\/login$/,
    'signs a browser in with a single-use login link: the link names the tenant (tenants/admin-session.integration.test.ts)',
  ],
  [
    /^(GET|POST) \/oauth\/connect$/,
    'opens a single-use connect link: the link names the tenant (security/browser-bound-oauth.integration.test.ts)',
  ],
  [
    /^POST \/admin\/sign-in$/,
    'signs a browser in with an API key: the key names the tenant (tenants/admin-session.integration.test.ts)',
  ],
  [
    /^GET \/oauth\/:provider\/callback$/,
    "the platform's redirect back: the signed single-use state names the tenant (connections/oauth-state-attacks.integration.test.ts)",
  ],
];

function notTenantReason(route: RouteKey): string | undefined {
  return NOT_TENANT_ROUTES.find(([pattern]) => pattern.test(route))?.[1];
}

// ---------------------------------------------------------------------------------------------------------
// The matrix: for each tenant route, what B calls and what it must get

interface Probe {
  path: string;
  body?: unknown;
  /** What B must get (beyond the checks every probe gets: no 5xx, none of A's ids or names, A unchanged). */
  expect: (answer: RawAnswer) => void | Promise<void>;
  /** For reads of A's things: what A gets on the same path, proving the ids B tried are real. */
  ownerStatus?: number;
  /** An answer to try again after a second (the platform throttled the gateway's check). */
  transient?: (answer: RawAnswer) => boolean;
}

type Json = Record<string, unknown>;
const json = (answer: RawAnswer) => answer.json as Json;
const list = <T = Json>(answer: RawAnswer, field: string) => json(answer)[field] as T[];

function refused(status: number, code: string) {
  return (answer: RawAnswer) => {
    expect(answer.status, describeAnswer(answer)).toBe(status);
    expect((json(answer).error as { code?: string } | undefined)?.code, describeAnswer(answer)).toBe(code);
  };
}

function answered(status: number, check: (answer: RawAnswer) => void | Promise<void> = () => undefined) {
  return async (answer: RawAnswer) => {
    expect(answer.status, describeAnswer(answer)).toBe(status);
    await check(answer);
  };
}

const emptyList = (field: string) => answered(200, (answer) => expect(list(answer, field)).toEqual([]));

function eachConnectionOfA(probe: (id: string) => Probe): Probe[] {
  return a.connectionIds.map(probe);
}

/** B's session on B's own page signs it in: what the session says about whom it belongs to. */
async function sessionTenant(cookie: string): Promise<string | undefined> {
  const answer = await send(testbed.gateway.url, { method: 'GET', path: '/v1/admin/session', headers: { cookie } });
  return ((answer.json as Json | undefined)?.tenant as { id?: string } | undefined)?.id;
}

const MATRIX: Record<string, () => Probe[]> = {
  'GET /v1/connections': () => [
    {
      path: '/v1/connections',
      expect: answered(200, (answer) =>
        expect(
          list<{ id: string }>(answer, 'connections')
            .map((row) => row.id)
            .sort(),
        ).toEqual([b.connections.meta, b.connections.klaviyo].sort()),
      ),
    },
  ],
  'POST /v1/connections/klaviyo/api-key': () => [
    {
      // A's Klaviyo key, given by B: it reconnects B's own Klaviyo connection, never A's.
      path: '/v1/connections/klaviyo/api-key',
      body: { privateKey: KLAVIYO_KEY },
      expect: answered(200, (answer) => expect(json(answer).id).toBe(b.connections.klaviyo)),
      // Klaviyo's accounts endpoint allows one call a second per account, and A and B share the account.
      transient: (answer) => answer.status === 503,
    },
  ],
  'GET /v1/connections/:id': () =>
    eachConnectionOfA((id) => ({
      path: `/v1/connections/${id}`,
      expect: refused(404, 'connection_not_found'),
      ownerStatus: 200,
    })),
  'GET /v1/connections/:id/events': () =>
    eachConnectionOfA((id) => ({
      path: `/v1/connections/${id}/events`,
      expect: refused(404, 'connection_not_found'),
      ownerStatus: 200,
    })),
  'PUT /v1/connections/:id/accounts': () =>
    eachConnectionOfA((id) => ({
      path: `/v1/connections/${id}/accounts`,
      body: { selected: [] },
      expect: refused(404, 'connection_not_found'),
    })),
  'POST /v1/connections/:id/disconnect': () =>
    eachConnectionOfA((id) => ({
      path: `/v1/connections/${id}/disconnect`,
      expect: refused(404, 'connection_not_found'),
    })),
  'POST /v1/connections/:id/reconnect': () =>
    eachConnectionOfA((id) => ({
      path: `/v1/connections/${id}/reconnect`,
      body: {},
      expect: refused(404, 'connection_not_found'),
    })),
  'GET /oauth/:provider/start': () => [
    {
      // B's admin starts its own connect flow; A's pending and finished flows are untouched. B's API key gets
      // no consent URL at all (it must mint a connect link).
      path: '/oauth/google/start',
      expect: (answer) => {
        if (answer.status === 302) return;
        expect(answer.status, describeAnswer(answer)).toBe(403);
        expect(answer.text).toContain('code: connect_link_required');
      },
    },
  ],
  'POST /v1/connect-links': () => [
    {
      path: '/v1/connect-links',
      body: { provider: 'google' },
      expect: answered(201, async (answer) => {
        // The link connects to B, and says so before anything happens.
        const page = await new TestBrowser(testbed.gateway.url).fetch(String(json(answer).url));
        expect(await page.text()).toContain('Connect Google Ads to BRAVO brand?');
      }),
    },
  ],
  'GET /v1/onboarding': () => [
    {
      path: '/v1/onboarding',
      expect: answered(200, (answer) => {
        const steps = list<{ provider: string; status: string; connectionId?: string }>(answer, 'steps');
        expect(steps.find((step) => step.provider === 'meta')?.connectionId).toBe(b.connections.meta);
        // A connected Google; B did not.
        expect(steps.find((step) => step.provider === 'google')?.status).not.toBe('connected');
      }),
    },
  ],
  'POST /v1/onboarding/:provider/skip': () => [
    {
      path: '/v1/onboarding/google/skip',
      expect: answered(200, (answer) =>
        expect(list<{ provider: string; status: string }>(answer, 'steps')).toContainEqual(
          expect.objectContaining({ provider: 'google', status: 'skipped' }),
        ),
      ),
    },
    { path: '/v1/onboarding/meta/skip', expect: refused(409, 'step_connected') },
  ],
  'POST /v1/onboarding/:provider/resume': () => [
    {
      path: '/v1/onboarding/google/resume',
      expect: answered(200, (answer) =>
        expect(list<{ provider: string; status: string }>(answer, 'steps')).toContainEqual(
          expect.objectContaining({ provider: 'google', status: 'not_started' }),
        ),
      ),
    },
  ],
  'GET /v1/api-keys': () => [
    {
      path: '/v1/api-keys',
      expect: answered(200, async (answer) => {
        const own = (await listApiKeys(env.db, b.tenantId)).map((key) => key.id).sort();
        expect(
          list<{ id: string }>(answer, 'apiKeys')
            .map((key) => key.id)
            .sort(),
        ).toEqual(own);
      }),
    },
  ],
  'POST /v1/api-keys': () => [
    {
      path: '/v1/api-keys',
      body: { name: 'bravo extra key' },
      expect: answered(201, async (answer) => {
        const check = await api(testbed.gateway.url, String(json(answer).apiKey), 'GET', '/v1/admin/session');
        expect((check.body.tenant as { id: string }).id).toBe(b.tenantId);
      }),
    },
  ],
  'DELETE /v1/api-keys/:id': () =>
    a.keyIds.map((id) => ({ path: `/v1/api-keys/${id}`, expect: refused(404, 'api_key_not_found') })),
  'GET /v1/webhook': () => [
    { path: '/v1/webhook', expect: answered(200, (answer) => expect(json(answer).url).toBeNull()) },
  ],
  'PUT /v1/webhook': () => [
    {
      path: '/v1/webhook',
      body: { url: 'https://bravo.example/adsync-hooks' },
      expect: answered(200, (answer) => expect(json(answer).url).toBe('https://bravo.example/adsync-hooks')),
    },
  ],
  'DELETE /v1/webhook': () => [{ path: '/v1/webhook', expect: answered(204) }],
  'GET /v1/spend/daily': () => [
    {
      path: `/v1/spend/daily?from=${SPEND_FROM}&to=${SPEND_TO}`,
      expect: answered(200, (answer) =>
        // B's one row, not the sum of both tenants' rows of those days.
        expect(list(answer, 'days')).toEqual([
          {
            date: SPEND_FROM,
            provider: 'meta',
            spendMicros: '1111000',
            currency: 'USD',
            impressions: '11',
            clicks: '1',
          },
        ]),
      ),
    },
    {
      path: `/v1/spend/daily?from=${SPEND_FROM}&to=${SPEND_TO}&adAccountId=${a.metaAccountId}`,
      expect: emptyList('days'),
    },
  ],
  'GET /v1/spend/accounts': () => [
    {
      path: `/v1/spend/accounts?from=${SPEND_FROM}&to=${SPEND_TO}`,
      expect: answered(200, (answer) =>
        expect(list<{ adAccountId: string }>(answer, 'accounts').map((row) => row.adAccountId)).toEqual([
          b.adAccountId,
        ]),
      ),
    },
    {
      path: `/v1/spend/accounts?from=${SPEND_FROM}&to=${SPEND_TO}&adAccountId=${a.metaAccountId}`,
      expect: emptyList('accounts'),
    },
  ],
  'GET /v1/spend/regions': () => [
    { path: `/v1/spend/regions?from=${SPEND_FROM}&to=${SPEND_TO}`, expect: emptyList('regions') },
    {
      path: `/v1/spend/regions?from=${SPEND_FROM}&to=${SPEND_TO}&adAccountId=${a.metaAccountId}`,
      expect: emptyList('regions'),
    },
  ],
  'GET /v1/spend/hourly': () => [
    {
      path: `/v1/spend/hourly?adAccountId=${a.metaAccountId}&from=${SPEND_FROM}&to=${SPEND_TO}`,
      expect: refused(404, 'ad_account_not_found'),
      ownerStatus: 200,
    },
  ],
  'GET /v1/spend/sync-runs': () => [
    { path: '/v1/spend/sync-runs', expect: emptyList('runs') },
    { path: `/v1/spend/sync-runs?adAccountId=${a.metaAccountId}`, expect: emptyList('runs') },
  ],
  'GET /v1/spend/restatements': () => [{ path: '/v1/spend/restatements', expect: emptyList('restatements') }],
  'POST /v1/ad-accounts/:id/backfill': () => [
    {
      path: `/v1/ad-accounts/${a.metaAccountId}/backfill`,
      body: { days: 3 },
      expect: refused(404, 'ad_account_not_found'),
    },
  ],
  'GET /v1/spend/settings': () => [
    {
      path: '/v1/spend/settings',
      expect: answered(200, (answer) => {
        const days = json(answer).lookbackDays as Record<string, { days: number; custom: boolean }>;
        // A set TikTok to 2 days and Meta to 9.
        expect(days.tiktok).toEqual({ days: 3, custom: false });
        expect(days.meta?.days).not.toBe(9);
      }),
    },
  ],
  'PUT /v1/spend/settings': () => [
    {
      path: '/v1/spend/settings',
      body: { lookbackDays: { meta: 5 } },
      expect: answered(200, (answer) =>
        expect(json(answer).lookbackDays).toMatchObject({
          meta: { days: 5, custom: true },
          tiktok: { days: 3, custom: false },
        }),
      ),
    },
  ],
  'GET /v1/klaviyo/lists': () => [{ path: '/v1/klaviyo/lists', expect: emptyList('lists') }],
  'POST /v1/klaviyo/lists': () => [
    {
      path: '/v1/klaviyo/lists',
      body: { name: 'bravo list' },
      expect: answered(202, (answer) => expect(json(answer)).toMatchObject({ kind: 'create_list', status: 'queued' })),
    },
  ],
  'POST /v1/klaviyo/lists/:id/subscriptions': () => [
    {
      path: `/v1/klaviyo/lists/${a.listId}/subscriptions`,
      body: { profiles: [{ email: 'bravo-subscriber@example.com', channels: ['email'] }] },
      expect: refused(404, 'list_not_found'),
    },
  ],
  'POST /v1/klaviyo/lists/:id/unsubscriptions': () => [
    {
      path: `/v1/klaviyo/lists/${a.listId}/unsubscriptions`,
      body: { profiles: [{ email: 'bravo-subscriber@example.com', channels: ['email'] }] },
      expect: refused(404, 'list_not_found'),
    },
  ],
  'GET /v1/klaviyo/list-jobs': () => [
    {
      path: '/v1/klaviyo/list-jobs',
      expect: answered(200, (answer) =>
        expect(list<{ listName?: string }>(answer, 'listJobs').every((job) => job.listName === 'bravo list')).toBe(
          true,
        ),
      ),
    },
  ],
  'GET /v1/klaviyo/list-jobs/:id': () =>
    a.listJobIds.map((id) => ({
      path: `/v1/klaviyo/list-jobs/${id}`,
      expect: refused(404, 'list_job_not_found'),
      ownerStatus: 200,
    })),
  'GET /v1/klaviyo/segments': () => [{ path: '/v1/klaviyo/segments', expect: emptyList('segments') }],
  'GET /v1/klaviyo/segments/:id/members': () => [
    {
      path: `/v1/klaviyo/segments/${a.segmentId}/members`,
      expect: refused(404, 'segment_not_found'),
      ownerStatus: 200,
    },
  ],
  'GET /v1/klaviyo/segments/:id/changes': () => [
    {
      path: `/v1/klaviyo/segments/${a.segmentId}/changes`,
      expect: refused(404, 'segment_not_found'),
      ownerStatus: 200,
    },
  ],
  'GET /v1/klaviyo/syncs': () => [{ path: '/v1/klaviyo/syncs', expect: emptyList('syncs') }],
  'POST /v1/klaviyo/sync': () => [
    {
      path: '/v1/klaviyo/sync',
      body: {},
      expect: answered(202, (answer) => expect(json(answer).enqueued).toEqual(['lists', 'segments', 'catalog'])),
    },
  ],
  'GET /v1/klaviyo/catalog-items': () => [
    { path: '/v1/klaviyo/catalog-items', expect: emptyList('catalogItems') },
    { path: '/v1/klaviyo/catalog-items?unmapped=true', expect: emptyList('catalogItems') },
  ],
  'GET /v1/klaviyo/product-mappings': () => [
    { path: '/v1/klaviyo/product-mappings', expect: emptyList('productMappings') },
  ],
  'PUT /v1/klaviyo/product-mappings/:productRef': () => [
    {
      path: `/v1/klaviyo/product-mappings/${a.productRef}`,
      body: { catalogItemId: a.catalogItemId },
      expect: refused(404, 'catalog_item_not_found'),
    },
  ],
  'DELETE /v1/klaviyo/product-mappings/:productRef': () => [
    { path: `/v1/klaviyo/product-mappings/${a.productRef}`, expect: refused(404, 'mapping_not_found') },
  ],
  'POST /v1/klaviyo/product-mappings/unmapped': () => [
    {
      // A maps alpha-shop-tee, and its catalog has an item whose external id is alpha-sku-1.
      path: '/v1/klaviyo/product-mappings/unmapped',
      body: { products: [a.productRef, 'alpha-sku-1'] },
      expect: answered(200, (answer) =>
        expect(list(answer, 'unmapped')).toEqual([
          { productRef: a.productRef, suggestedCatalogItemId: null },
          { productRef: 'alpha-sku-1', suggestedCatalogItemId: null },
        ]),
      ),
    },
  ],
  'POST /v1/events': () => [
    {
      path: '/v1/events',
      body: { events: [lead(`bravo-${randomUUID()}`)] },
      expect: answered(202, (answer) => expect(json(answer).accepted).toBe(1)),
    },
  ],
  'GET /v1/events/destinations': () => [
    {
      path: '/v1/events/destinations',
      expect: answered(200, (answer) =>
        expect(list<{ id: string }>(answer, 'destinations').map((row) => row.id)).toEqual([b.destinationId]),
      ),
    },
  ],
  'POST /v1/events/destinations': () => [
    {
      path: '/v1/events/destinations',
      body: { provider: 'meta', pixelId: META_PIXELS[1].id, connectionId: a.connectionIds[0] },
      expect: refused(400, 'invalid_connection'),
    },
    {
      path: '/v1/events/destinations',
      body: { provider: 'tiktok', pixelId: TIKTOK_PIXEL, connectionId: a.connectionIds[2] },
      expect: refused(400, 'invalid_connection'),
    },
  ],
  'GET /v1/events/destinations/:id': () =>
    a.destinationIds.map((id) => ({
      path: `/v1/events/destinations/${id}`,
      expect: refused(404, 'destination_not_found'),
      ownerStatus: 200,
    })),
  'PATCH /v1/events/destinations/:id': () => [
    ...a.destinationIds.map((id) => ({
      path: `/v1/events/destinations/${id}`,
      body: { name: 'taken over', enabled: false },
      expect: refused(404, 'destination_not_found'),
    })),
    // B's own destination, pointed at A's connection.
    ...a.connectionIds.map((connectionId) => ({
      path: `/v1/events/destinations/${b.destinationId}`,
      body: { connectionId },
      expect: refused(400, 'invalid_connection'),
    })),
  ],
  'DELETE /v1/events/destinations/:id': () =>
    a.destinationIds.map((id) => ({
      path: `/v1/events/destinations/${id}`,
      expect: refused(404, 'destination_not_found'),
    })),
  'GET /v1/events/dead-letters': () => [
    { path: '/v1/events/dead-letters', expect: emptyList('deadLetters') },
    ...a.destinationIds.map((id) => ({
      path: `/v1/events/dead-letters?destinationId=${id}`,
      expect: emptyList('deadLetters'),
    })),
  ],
  'POST /v1/events/dead-letters/replay': () => [
    {
      path: '/v1/events/dead-letters/replay',
      body: { ids: a.deadLetterIds },
      expect: answered(200, (answer) => expect(json(answer)).toEqual({ replayed: [], notReplayable: a.deadLetterIds })),
    },
  ],
  'GET /v1/events/delivery-stats': () => [
    {
      path: '/v1/events/delivery-stats',
      expect: answered(200, (answer) =>
        expect(list<{ destinationId: string }>(answer, 'destinations').map((row) => row.destinationId)).toEqual([
          b.destinationId,
        ]),
      ),
    },
  ],
  'POST /v1/admin/login-links': () => [
    {
      path: '/v1/admin/login-links',
      body: {},
      expect: answered(200, async (answer) => {
        // The link signs a browser into B.
        const browser = new AdminBrowser(testbed.gateway.url);
        expect((await browser.signInWithLink(String(json(answer).url))).status).toBe(303);
        expect(await sessionTenant(`adsync_session=${browser.cookie('adsync_session')}`)).toBe(b.tenantId);
      }),
    },
  ],
  'GET /v1/admin/sessions': () => [
    {
      path: '/v1/admin/sessions',
      expect: answered(200, async (answer) => {
        const own = await env.db
          .selectFrom('admin_sessions')
          .select('id')
          .where('tenant_id', '=', b.tenantId)
          .where('revoked_at', 'is', null)
          .execute();
        expect(
          list<{ id: string }>(answer, 'sessions')
            .map((row) => row.id)
            .sort(),
        ).toEqual(own.map((row) => row.id).sort());
      }),
    },
  ],
  'DELETE /v1/admin/sessions/:id': () =>
    a.sessionIds.map((id) => ({
      path: `/v1/admin/sessions/${id}`,
      expect: refused(404, 'session_not_found'),
    })),
  'DELETE /v1/admin/sessions': () => [
    {
      // Ends B's sessions (with B's key, every one): B signs in again for the probes after it.
      path: '/v1/admin/sessions',
      expect: answered(200, async () => {
        Object.assign(b, await signIn(b.apiKey));
      }),
    },
  ],
  'GET /v1/admin/session': () => [
    {
      path: '/v1/admin/session',
      expect: answered(200, (answer) => expect(json(answer).tenant).toEqual({ id: b.tenantId, name: 'BRAVO brand' })),
    },
  ],
  // Last: in the session pass it ends B's session.
  'POST /admin/logout': () => [{ path: '/admin/logout', expect: answered(204) }],
};

// ---------------------------------------------------------------------------------------------------------
// Setting up A and B

/** Signs a browser into the tenant through a login link; returns its session and CSRF cookies. */
async function signIn(apiKey: string): Promise<{ session: string; csrf: string }> {
  const link = await api(testbed.gateway.url, apiKey, 'POST', '/v1/admin/login-links', {});
  expect(link.status).toBe(200);
  const browser = new AdminBrowser(testbed.gateway.url);
  expect((await browser.signInWithLink(String(link.body.url))).status).toBe(303);
  return { session: browser.cookie('adsync_session') ?? '', csrf: browser.cookie('adsync_csrf') ?? '' };
}

/** A call that must succeed, made while setting up. */
async function must(apiKey: string, method: string, path: string, body?: unknown) {
  const answer = await api(testbed.gateway.url, apiKey, method, path, body);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body;
}

async function selectEveryAccount(tenantId: string, apiKey: string) {
  for (const connection of await listConnections(env.db, tenantId)) {
    if (connection.status !== 'pending') continue;
    const accounts = await listAdAccounts(env.db, { tenantId, connectionId: connection.id });
    await must(apiKey, 'PUT', `/v1/connections/${connection.id}/accounts`, {
      selected: accounts.map((account) => account.external_id),
    });
  }
}

function spendRow(date: string, spendMicros: bigint, extra: { hour?: number; region?: string } = {}) {
  return { date, hour: extra.hour ?? null, region: extra.region ?? null, spendMicros, impressions: 11, clicks: 1 };
}

/** A's conversion events through the real worker-capi: one delivered, one refused by Meta and dead-lettered. */
async function deliverEventsOfA(apiKey: string) {
  const worker = await startCapiWorker(testbed);
  try {
    const good = `alpha-good-${randomUUID()}`;
    const poison = `alpha-poison-${randomUUID()}`;
    await controlSimulator(testbed.sim.url, 'events/reject', { platform: 'meta', eventIds: [poison] });
    await must(apiKey, 'POST', '/v1/events', { events: [lead(good), lead(poison)] });
    // Meta: the good event delivered, the poison dead-lettered; TikTok: both delivered. Nothing waiting.
    const settled = ['1 delivered, 1 dead, 0 waiting', '2 delivered, 0 dead, 0 waiting'];
    const deadline = Date.now() + 30_000;
    let seen: string[] = [];
    while (JSON.stringify(seen) !== JSON.stringify(settled)) {
      if (Date.now() > deadline) throw new Error(`A's events did not settle: ${seen.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const stats = await api(testbed.gateway.url, apiKey, 'GET', '/v1/events/delivery-stats');
      seen = (stats.body.destinations as { delivered: number; waiting: number; openDeadLetters: number }[])
        .map((row) => `${row.delivered} delivered, ${row.openDeadLetters} dead, ${row.waiting} waiting`)
        .sort();
    }
  } finally {
    await worker.stop();
  }
}

async function setUpAlpha(): Promise<Omit<Alpha, 'ids'>> {
  const created = await createTenantWithKey(env.db, { name: 'ALPHA brand', keyName: 'alpha key' });
  const tenantId = created.tenant.id;
  const { apiKey } = created;
  const url = testbed.gateway.url;
  await issueApiKey(env.db, { tenantId, name: 'alpha second key' });

  // Onboarding: Google skipped before it was connected (the row stays).
  await must(apiKey, 'POST', '/v1/onboarding/google/skip');
  const destinations = await connectEventDestinations(testbed, { tenantId, apiKey });
  await connectByHttp(url, apiKey, 'google', { accounts: ['1000000015'] });
  await must(apiKey, 'POST', '/v1/connections/klaviyo/api-key', { privateKey: KLAVIYO_KEY });
  await selectEveryAccount(tenantId, apiKey);
  const connections = await listConnections(env.db, tenantId);
  const connectionOf = (provider: string) => {
    const found = connections.find((connection) => connection.provider === provider);
    if (found === undefined) throw new Error(`A has no ${provider} connection`);
    return found.id;
  };
  await deliverEventsOfA(apiKey);
  const dedicated = await must(apiKey, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: META_PIXELS[1].id,
    name: 'ALPHA dedicated pixel',
    accessToken: `EAAalpha${randomUUID().replaceAll('-', '')}`,
  });

  // Spend of A's Meta account: days, hours and regions, a sync run and a restatement it recorded.
  const metaAccount = (await listAdAccounts(env.db, { tenantId, connectionId: connectionOf('meta') }))[0];
  if (metaAccount === undefined) throw new Error('A has no Meta ad account');
  const write = (grain: 'day' | 'hour' | 'region', rows: ReturnType<typeof spendRow>[], syncRunId?: string) =>
    writeSpendRows(env.db, {
      tenantId,
      provider: 'meta',
      adAccountId: metaAccount.id,
      currency: 'USD',
      from: SPEND_FROM,
      to: SPEND_TO,
      grain,
      rows,
      ...(syncRunId === undefined ? {} : { restatement: { before: '2026-03-03', thresholdPercent: 1, syncRunId } }),
    });
  await write('day', [spendRow(SPEND_FROM, 7_000_000n), spendRow(SPEND_TO, 8_000_000n)]);
  await write('hour', [spendRow(SPEND_FROM, 3_000_000n, { hour: 9 })]);
  await write('region', [spendRow(SPEND_FROM, 7_000_000n, { region: 'US-NY' })]);
  const run = await startSyncRun(env.db, {
    tenantId,
    connectionId: connectionOf('meta'),
    adAccountId: metaAccount.id,
    provider: 'meta',
    kind: 'nightly',
    jobId: null,
    from: SPEND_FROM,
    to: SPEND_TO,
  });
  const restated = await write('day', [spendRow(SPEND_FROM, 9_000_000n), spendRow(SPEND_TO, 8_000_000n)], run);
  expect(restated.restatements).toBe(1);
  await finishSyncRun(env.db, run, { status: 'succeeded', rowsWritten: 2 });
  await must(apiKey, 'PUT', '/v1/spend/settings', { lookbackDays: { meta: 9, tiktok: 2 } });

  // Klaviyo as a sync would have left it: a list, a segment whose members changed, a catalog item.
  const klaviyo = connectionOf('klaviyo');
  const at = new Date();
  const group = { createdAt: at, updatedAt: at };
  const [listGroup] = await recordKlaviyoGroups(env.db, {
    tenantId,
    connectionId: klaviyo,
    kind: 'list',
    groups: [{ externalId: 'AlphaL1', name: 'ALPHA list', ...group }],
    at,
  });
  const [segment] = await recordKlaviyoGroups(env.db, {
    tenantId,
    connectionId: klaviyo,
    kind: 'segment',
    groups: [{ externalId: 'AlphaS1', name: 'ALPHA segment', ...group }],
    at,
  });
  if (listGroup === undefined || segment === undefined) throw new Error('A has no Klaviyo list or segment');
  for (const members of [
    ['01ALPHAPROFILE1', '01ALPHAPROFILE2'],
    ['01ALPHAPROFILE2', '01ALPHAPROFILE3'],
  ]) {
    const syncId = await startKlaviyoSync(env.db, { tenantId, connectionId: klaviyo, scope: 'segments' });
    await applySegmentMembers(env.db, {
      tenantId,
      groupId: segment.id,
      syncId,
      members: new Set(members),
      at: new Date(),
    });
    await finishKlaviyoSync(env.db, syncId, { status: 'succeeded', counts: { segments: 1 } });
  }
  const catalogItemId = '$custom:::$default:::alpha-sku-1';
  await recordCatalogItems(env.db, {
    tenantId,
    connectionId: klaviyo,
    items: [
      {
        itemId: catalogItemId,
        externalId: 'alpha-sku-1',
        title: 'ALPHA tee',
        url: 'https://alpha.example/tee',
        price: 20,
        published: true,
        updatedAt: at,
      },
    ],
    at,
  });
  const productRef = 'alpha-shop-tee';
  await must(apiKey, 'PUT', `/v1/klaviyo/product-mappings/${productRef}`, { catalogItemId });
  const created1 = await must(apiKey, 'POST', '/v1/klaviyo/lists', { name: 'ALPHA launch list' });
  const created2 = await must(apiKey, 'POST', `/v1/klaviyo/lists/${listGroup.id}/subscriptions`, {
    profiles: [{ email: 'alpha-subscriber@example.com', channels: ['email'] }],
  });

  // A's webhook, sessions (one in use), an unused login link and an OAuth flow left half-way.
  await must(apiKey, 'PUT', '/v1/webhook', { url: 'https://alpha.example/adsync-hooks' });
  const session = await signIn(apiKey);
  await must(apiKey, 'POST', '/v1/admin/login-links', {});
  expect((await startConnect(url, apiKey, 'meta')).status).toBe(303);

  const accounts = await listAdAccounts(env.db, { tenantId });
  expect(accounts.length).toBeGreaterThanOrEqual(4);
  const deadLetters = await env.db
    .selectFrom('capi_dead_letters')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .execute();
  return {
    tenantId,
    apiKey,
    ...session,
    keyIds: (await listApiKeys(env.db, tenantId)).map((key) => key.id),
    sessionIds: (
      await env.db.selectFrom('admin_sessions').select('id').where('tenant_id', '=', tenantId).execute()
    ).map((row) => row.id),
    connectionIds: ['meta', 'google', 'tiktok', 'klaviyo'].map(connectionOf),
    metaAccountId: metaAccount.id,
    destinationIds: [destinations.meta, destinations.tiktok, String(dedicated.id)],
    deadLetterIds: deadLetters.map((row) => row.id),
    listId: listGroup.id,
    segmentId: segment.id,
    listJobIds: [String(created1.id), String(created2.id)],
    catalogItemId,
    productRef,
  };
}

async function setUpBravo(): Promise<Bravo> {
  const created = await createTenantWithKey(env.db, { name: 'BRAVO brand', keyName: 'bravo key' });
  const tenantId = created.tenant.id;
  const { apiKey } = created;
  await connectByHttp(testbed.gateway.url, apiKey, 'meta', { accounts: ['act_1000000001'] });
  await must(apiKey, 'POST', '/v1/connections/klaviyo/api-key', { privateKey: KLAVIYO_KEY });
  await selectEveryAccount(tenantId, apiKey);
  const connections = await listConnections(env.db, tenantId);
  const meta = connections.find((connection) => connection.provider === 'meta')?.id ?? '';
  const klaviyo = connections.find((connection) => connection.provider === 'klaviyo')?.id ?? '';
  const destination = await must(apiKey, 'POST', '/v1/events/destinations', {
    provider: 'meta',
    pixelId: META_PIXEL,
    connectionId: meta,
  });
  const [account] = await listAdAccounts(env.db, { tenantId, connectionId: meta });
  if (account === undefined) throw new Error('B has no Meta ad account');
  await writeSpendRows(env.db, {
    tenantId,
    provider: 'meta',
    adAccountId: account.id,
    currency: 'USD',
    from: SPEND_FROM,
    to: SPEND_TO,
    grain: 'day',
    rows: [spendRow(SPEND_FROM, 1_111_000n)],
  });
  return {
    tenantId,
    apiKey,
    ...(await signIn(apiKey)),
    connections: { meta, klaviyo },
    adAccountId: account.id,
    destinationId: String(destination.id),
  };
}

// ---------------------------------------------------------------------------------------------------------
// What "A is unchanged" means

/** Rows that mention one of A's ids (A's own rows, and any row of anyone pointing at A's). */
function rowsOfA(snapshot: DatabaseSnapshot): number {
  return Object.values(snapshot)
    .flat()
    .filter((row) => a.ids.some((id) => row.includes(id))).length;
}

/** Changes between two snapshots that touch a row mentioning one of A's ids. */
function changesToA(before: DatabaseSnapshot, after: DatabaseSnapshot) {
  const changes = databaseChanges(before, after);
  const mentionsA = (row: unknown) => a.ids.some((id) => JSON.stringify(row).includes(id));
  return Object.fromEntries(
    Object.entries(changes)
      .map(
        ([table, change]) =>
          [table, { added: change.added.filter(mentionsA), removed: change.removed.filter(mentionsA) }] as const,
      )
      .filter(([, change]) => change.added.length + change.removed.length > 0),
  );
}

/** A's Redis entries (queued jobs, buffered events, locks…): every entry that mentions one of A's ids. */
async function redisOfA(): Promise<string[]> {
  const { entries } = await readRedisEntries(env.redis, env.queuePrefix);
  return (
    entries
      // A's rate-limit counters come and go with their windows, whoever calls (see security/auth-and-rate-limits).
      .filter((entry) => !entry.key.startsWith(`${env.queuePrefix}:rate-limit:`))
      .map((entry) => `${entry.key} ${entry.part} ${entry.value}`)
      .filter((text) => a.ids.some((id) => text.includes(id)))
      .sort()
  );
}

/** Snapshots A's rows, runs the call, and checks A's rows and Redis entries did not change. */
async function leavesAUnchanged<T>(what: string, call: () => Promise<T>): Promise<T> {
  const [database, redis] = await Promise.all([snapshotDatabase(env.db), redisOfA()]);
  const result = await call();
  const [databaseAfter, redisAfter] = await Promise.all([snapshotDatabase(env.db), redisOfA()]);
  expect(changesToA(database, databaseAfter), `${what} changed A's rows`).toEqual({});
  expect(redisAfter, `${what} changed A's Redis entries`).toEqual(redis);
  return result;
}

/** The words of A that must never reach B: A's ids and names, except those B itself sent in the request. */
function expectNothingOfA(answer: RawAnswer, request: string, what: string) {
  const sent = request.toLowerCase();
  const received = answer.text.toLowerCase();
  for (const word of [...a.ids, ALPHA]) {
    if (!sent.includes(word)) expect(received, `${what} gave B "${word}" of A`).not.toContain(word);
  }
}

// ---------------------------------------------------------------------------------------------------------

type AuthMode = 'API key' | 'session';

function credentialsOf(brand: Brand, mode: AuthMode, method: string): Record<string, string> {
  if (mode === 'API key') return { authorization: `Bearer ${brand.apiKey}` };
  const cookie = { cookie: `adsync_session=${brand.session}; adsync_csrf=${brand.csrf}` };
  return ['GET', 'HEAD'].includes(method)
    ? cookie
    : { ...cookie, 'x-csrf-token': brand.csrf, origin: testbed.gateway.url };
}

function sendAs(headers: Record<string, string>, method: string, probe: Pick<Probe, 'path' | 'body'>) {
  return send(testbed.gateway.url, {
    method,
    path: probe.path,
    headers,
    ...(probe.body === undefined
      ? {}
      : { body: { text: JSON.stringify(probe.body), contentType: 'application/json' } }),
  });
}

function methodOf(route: string): string {
  return route.slice(0, route.indexOf(' '));
}

/** A path for a route's pattern, with made-up parameters (for calls that must be refused before any lookup). */
function anyPathOf(route: string): string {
  return route
    .slice(route.indexOf(' ') + 1)
    .replace(':provider', 'meta')
    .replace(':productRef', 'some-product')
    .replace(/:[A-Za-z]+/g, () => randomUUID());
}

beforeAll(async () => {
  const alpha = await setUpAlpha();
  b = await setUpBravo();
  a = { ...alpha, ids: [] };
  const snapshot = await snapshotDatabase(env.db);
  const ids = new Set([alpha.tenantId]);
  for (const row of Object.values(snapshot)
    .flat()
    .map((text) => JSON.parse(text) as Json)) {
    if (row.tenant_id === alpha.tenantId && typeof row.id === 'string' && UUID.test(row.id)) ids.add(row.id);
  }
  a.ids = [...ids];
}, 180_000);

describe('the tenant-isolation matrix', () => {
  it('covers every route the gateway answers, or says why a route is not a tenant route', async () => {
    const routes = listRoutes(testbed.gateway.app);
    // The route tree was read: a few routes every gateway has.
    expect(routes).toEqual(expect.arrayContaining(['GET /healthz', 'GET /v1/connections/:id', 'POST /v1/events']));
    const unclassified = routes.filter((route) => MATRIX[route] === undefined && notTenantReason(route) === undefined);
    expect(unclassified, 'routes neither in the matrix nor in NOT_TENANT_ROUTES').toEqual([]);
    const both = routes.filter((route) => MATRIX[route] !== undefined && notTenantReason(route) !== undefined);
    expect(both, 'routes both in the matrix and in NOT_TENANT_ROUTES').toEqual([]);
    const stale = Object.keys(MATRIX).filter((route) => !routes.includes(route as RouteKey));
    expect(stale, 'matrix rows for routes the gateway no longer has').toEqual([]);

    // Every matrix route is a tenant route: without credentials it is refused before anything else.
    for (const route of Object.keys(MATRIX)) {
      const answer = await send(testbed.gateway.url, { method: methodOf(route), path: anyPathOf(route) });
      expect(answer.status, `${route} without credentials: ${describeAnswer(answer)}`).toBe(401);
    }
  });

  it('A has data in every table that holds tenant rows', async () => {
    const tables = await env.db.introspection.getTables();
    const tenantTables = tables
      .filter((table) => table.columns.some((column) => column.name === 'tenant_id'))
      .map((table) => table.name);
    expect(tenantTables.length).toBeGreaterThanOrEqual(20);
    const snapshot = await snapshotDatabase(env.db);
    const empty = tenantTables.filter(
      (table) => !(snapshot[table] ?? []).some((row) => row.includes(`"tenant_id":"${a.tenantId}"`)),
    );
    expect(empty, 'tenant tables where A has no row').toEqual([]);
    expect(rowsOfA(snapshot)).toBeGreaterThan(40);
  });

  it('mixed credentials: the API key decides, and a session needs its own CSRF token', async () => {
    const url = testbed.gateway.url;
    const who = (headers: Record<string, string>) => send(url, { method: 'GET', path: '/v1/admin/session', headers });
    const bWithACookie = await who({ authorization: `Bearer ${b.apiKey}`, cookie: `adsync_session=${a.session}` });
    expect((json(bWithACookie).tenant as Json).id).toBe(b.tenantId);
    const badKeyWithACookie = await who({
      authorization: 'Bearer adsync_not-a-key',
      cookie: `adsync_session=${a.session}`,
    });
    expect(badKeyWithACookie.status).toBe(401);

    await leavesAUnchanged('crossed CSRF tokens', async () => {
      for (const [session, csrf] of [
        [b.session, a.csrf],
        [a.session, b.csrf],
      ]) {
        const answer = await send(url, {
          method: 'PUT',
          path: '/v1/webhook',
          headers: { cookie: `adsync_session=${session}`, 'x-csrf-token': csrf ?? '', origin: url },
          body: { text: JSON.stringify({ url: 'https://bravo.example/crossed' }), contentType: 'application/json' },
        });
        refused(403, 'csrf_token_invalid')(answer);
      }
    });
  });

  for (const mode of ['API key', 'session'] as const) {
    it(`as B with its ${mode}: A's ids get 404s, lists hold only B's, and A stays byte for byte the same`, async () => {
      let probes = 0;
      for (const [route, probesOf] of Object.entries(MATRIX)) {
        const method = methodOf(route);
        for (const probe of probesOf()) {
          const what = `${mode} ${method} ${probe.path}`;
          const answer = await leavesAUnchanged(what, async () => {
            let answer = await sendAs(credentialsOf(b, mode, method), method, probe);
            for (let attempt = 1; attempt < 10 && probe.transient?.(answer) === true; attempt += 1) {
              await new Promise((resolve) => setTimeout(resolve, 1_000));
              answer = await sendAs(credentialsOf(b, mode, method), method, probe);
            }
            expect(answer.status, `${what}: ${describeAnswer(answer)}`).toBeLessThan(500);
            await probe.expect(answer);
            return answer;
          });
          expectNothingOfA(answer, `${probe.path} ${JSON.stringify(probe.body ?? '')}`, what);
          probes += 1;
        }
      }
      expect(probes).toBeGreaterThan(70);
      if (mode === 'session') expect(await sessionTenant(`adsync_session=${b.session}`)).toBeUndefined();
    }, 240_000);
  }

  it('A still reaches all of it with its own credentials; the routes without a tenant give none of it away', async () => {
    for (const [route, probesOf] of Object.entries(MATRIX)) {
      for (const probe of probesOf()) {
        if (probe.ownerStatus === undefined) continue;
        const answer = await sendAs(credentialsOf(a, 'API key', 'GET'), methodOf(route), probe);
        expect(answer.status, `A: ${route} ${probe.path}: ${describeAnswer(answer)}`).toBe(probe.ownerStatus);
      }
    }
    const own = await api(testbed.gateway.url, a.apiKey, 'GET', '/v1/connections');
    expect((own.body.connections as { id: string }[]).map((row) => row.id).sort()).toEqual([...a.connectionIds].sort());
    for (const id of a.keyIds) {
      const key = (await listApiKeys(env.db, a.tenantId)).find((row) => row.id === id);
      expect(key?.revoked_at, `A's key ${id}`).toBeNull();
    }
    expect(await sessionTenant(`adsync_session=${a.session}`)).toBe(a.tenantId);

    for (const path of ['/healthz', '/readyz', '/docs/json', '/admin', '/admin/spend']) {
      const answer = await send(testbed.gateway.url, { method: 'GET', path });
      expect(answer.status, path).toBe(200);
      expectNothingOfA(answer, '', `GET ${path}`);
    }
    // The Prometheus scrape, on the internal listener (the public port has no /metrics): fleet-wide counters
    // labelled by route pattern and provider, never a tenant.
    const { origin, pathname } = new URL(testbed.gateway.metricsUrl);
    const scrape = await send(origin, { method: 'GET', path: pathname });
    expect(scrape.status).toBe(200);
    expectNothingOfA(scrape, '', 'GET /metrics (internal listener)');
  });
});
