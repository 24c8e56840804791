// Browser sessions for brand admins: single-use login links, httpOnly SameSite cookies, CSRF on changes.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { expect, it } from 'vitest';
import { api, connectByHttp } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

/** Opens a fresh login link; returns the session and CSRF cookies it set. */
async function signIn(apiKey: string, next?: string) {
  const link = await api(
    testbed.gateway.url,
    apiKey,
    'POST',
    '/v1/admin/login-links',
    next === undefined ? {} : { next },
  );
  expect(link.status).toBe(200);
  const response = await fetch(String(link.body.url), { redirect: 'manual' });
  const cookies = response.headers.getSetCookie();
  const value = (name: string) =>
    cookies
      .find((cookie) => cookie.startsWith(`${name}=`))
      ?.split(';')[0]
      ?.split('=')[1] ?? '';
  return {
    url: String(link.body.url),
    response,
    cookies,
    session: value('adsync_session'),
    csrf: value('adsync_csrf'),
  };
}

it('a login link works once and sets an httpOnly, SameSite session cookie', async () => {
  const { apiKey } = await createTenantWithKey(env.db, { name: 'Admin', keyName: 't' });
  const first = await signIn(apiKey, '/oauth/meta/start');
  expect(first.response.status).toBe(303);
  expect(first.response.headers.get('location')).toBe(`${testbed.gateway.url}/oauth/meta/start`);
  const sessionCookie = first.cookies.find((cookie) => cookie.startsWith('adsync_session='));
  expect(sessionCookie).toMatch(/HttpOnly/i);
  expect(sessionCookie).toMatch(/SameSite=Lax/i);
  expect(first.cookies.find((cookie) => cookie.startsWith('adsync_csrf='))).toMatch(/SameSite=Strict/i);
  const again = await fetch(first.url, { redirect: 'manual' });
  expect(again.status).toBe(400);
  expect(again.headers.getSetCookie()).toEqual([]);
  expect(
    await api(testbed.gateway.url, apiKey, 'POST', '/v1/admin/login-links', { next: 'https://evil.example' }),
  ).toMatchObject({
    status: 400,
  });
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
