// Browser sessions for brand admins: single-use login links, httpOnly SameSite cookies, CSRF on changes.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { expect, it } from 'vitest';
import { api, connectByHttp, TestBrowser } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

/** Opens a fresh login link in a new browser and signs in on its page; returns the cookies it set. */
async function signIn(apiKey: string, next?: string) {
  const link = await api(
    testbed.gateway.url,
    apiKey,
    'POST',
    '/v1/admin/login-links',
    next === undefined ? {} : { next },
  );
  expect(link.status).toBe(200);
  const browser = new TestBrowser(testbed.gateway.url);
  const page = await browser.fetch(String(link.body.url));
  expect(page.status).toBe(200);
  expect(page.headers.getSetCookie()).toEqual([]);
  const token = /name="token" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const response = await browser.submit('/admin/login', { token });
  return {
    url: String(link.body.url),
    token,
    response,
    cookies: response.headers.getSetCookie(),
    session: browser.cookie('adsync_session') ?? '',
    csrf: browser.cookie('adsync_csrf') ?? '',
  };
}

it('a login link works once and sets an httpOnly, SameSite session cookie', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Admin', keyName: 't' });
  const first = await signIn(apiKey, '/admin/onboarding');
  expect(first.response.status).toBe(303);
  expect(first.response.headers.get('location')).toBe('/admin/onboarding');
  const sessionCookie = first.cookies.find((cookie) => cookie.startsWith('adsync_session='));
  expect(sessionCookie).toMatch(/HttpOnly/i);
  expect(sessionCookie).toMatch(/SameSite=Lax/i);
  expect(first.cookies.find((cookie) => cookie.startsWith('adsync_csrf='))).toMatch(/SameSite=Strict/i);
  const again = await new TestBrowser(testbed.gateway.url).fetch(first.url);
  expect(again.status).toBe(400);
  expect(await again.text()).toContain('code: login_link_invalid');
  expect(again.headers.getSetCookie()).toEqual([]);
  for (const next of ['https://evil.example', '/oauth/meta/start', '//evil.example/admin', '/administrator']) {
    expect(await api(testbed.gateway.url, apiKey, 'POST', '/v1/admin/login-links', { next })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_next' } },
    });
  }
});

it('a session reads freely but changes only with its CSRF token from our origin; logout ends it', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Csrf', keyName: 't' });
  await connectByHttp(testbed.gateway.url, apiKey, 'meta');
  const [connection] = await listConnections(env.db, tenant.id);
  const { session, csrf } = await signIn(apiKey);
  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${testbed.gateway.url}${path}`, {
      method,
      headers: {
        cookie: `adsync_session=${session}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const select = { selected: ['act_1000000001'] };
  const path = `/v1/connections/${connection?.id}/accounts`;

  expect((await call('GET', '/v1/connections')).status).toBe(200);
  const missing = await call('PUT', path, {}, select);
  expect(missing.status).toBe(403);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('csrf_token_invalid');
  expect((await call('PUT', path, { 'x-csrf-token': 'csrf_wrong' }, select)).status).toBe(403);
  const foreign = await call('PUT', path, { 'x-csrf-token': csrf, origin: 'https://evil.example' }, select);
  expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('csrf_origin_mismatch');
  expect((await listConnections(env.db, tenant.id))[0]?.status).toBe('pending');

  const allowed = await call('PUT', path, { 'x-csrf-token': csrf, origin: testbed.gateway.url }, select);
  expect(allowed.status).toBe(200);
  expect((await listConnections(env.db, tenant.id))[0]?.status).toBe('active');

  expect((await call('POST', '/admin/logout', { 'x-csrf-token': csrf })).status).toBe(204);
  expect((await call('GET', '/v1/connections')).status).toBe(401);
});

async function sessionCount(): Promise<number> {
  const row = await env.db
    .selectFrom('admin_sessions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function postSignIn(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${testbed.gateway.url}/admin/sign-in`, { method: 'POST', headers, body });
}

it('an API key signs a browser in; bad keys, forms and other sites are refused and create nothing', async () => {
  const { tenant, apiKey } = await createTenantWithKey(env.db, { name: 'Key Admin', keyName: 't' });
  const before = await sessionCount();
  const refusals: [Response, number, string][] = [
    [await postSignIn(JSON.stringify({ apiKey: 'adsync_wrong' })), 401, 'api_key_invalid'],
    [await postSignIn(JSON.stringify({ key: apiKey })), 400, 'invalid_request'],
    [await postSignIn('{"apiKey":'), 400, 'bad_request'],
    [
      await postSignIn(`apiKey=${apiKey}`, { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    ],
    [
      await postSignIn(JSON.stringify({ apiKey }), {
        'content-type': 'application/json',
        origin: 'https://evil.example',
      }),
      403,
      'csrf_origin_mismatch',
    ],
  ];
  for (const [response, status, code] of refusals) {
    expect(response.status).toBe(status);
    expect(response.headers.getSetCookie()).toEqual([]);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe(code);
    expect(text).not.toContain(apiKey);
  }
  expect(await sessionCount()).toBe(before);

  const signedIn = await postSignIn(JSON.stringify({ apiKey: ` ${apiKey} ` }), {
    'content-type': 'application/json',
    origin: testbed.gateway.url,
  });
  expect(signedIn.status).toBe(200);
  expect(await signedIn.text()).not.toContain(apiKey);
  const cookies = signedIn.headers.getSetCookie();
  expect(cookies.find((cookie) => cookie.startsWith('adsync_session='))).toMatch(/HttpOnly/i);
  const session = cookies.find((cookie) => cookie.startsWith('adsync_session='))?.split(';')[0] ?? '';
  const who = await fetch(`${testbed.gateway.url}/v1/admin/session`, { headers: { cookie: session } });
  expect(await who.json()).toEqual({ tenant: { id: tenant.id, name: 'Key Admin' }, via: 'session' });
  expect(await sessionCount()).toBe(before + 1);
  const anonymous = await fetch(`${testbed.gateway.url}/v1/admin/session`);
  expect(anonymous.status).toBe(401);
});

it('serves the admin page: one shell for every /admin path, versioned assets, strict security headers', async () => {
  for (const path of ['/admin', '/admin/onboarding', '/admin/spend?x=1']) {
    const page = await fetch(`${testbed.gateway.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toMatch(/<script type="module" src="\/admin\/assets\/app\.js\?v=[\w-]+"><\/script>/);
  }
  const shell = await (await fetch(`${testbed.gateway.url}/admin`)).text();
  const scriptUrl = /src="([^"]+)"/.exec(shell)?.[1] ?? '';
  const script = await fetch(`${testbed.gateway.url}${scriptUrl}`);
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(script.headers.get('cache-control')).toContain('immutable');
  expect((await script.text()).length).toBeGreaterThan(1_000);
  const stylesheetUrl = /href="([^"]+\.css[^"]*)"/.exec(shell)?.[1] ?? '';
  const stylesheet = await fetch(`${testbed.gateway.url}${stylesheetUrl}`);
  expect(stylesheet.headers.get('content-type')).toMatch(/^text\/css/);
  // An old or missing version is served but not cached for good.
  const unversioned = await fetch(`${testbed.gateway.url}/admin/assets/app.js?v=old`);
  expect(unversioned.headers.get('cache-control')).toBe('no-cache');
  expect((await fetch(`${testbed.gateway.url}/admin/assets/other.js`)).status).toBe(404);
});
