// Sessions end with the credentials behind them (security review, issue 19 item 3), tried as an attacker
// with a stolen key would: sign browsers in with it, mint login and connect links from those sessions, and
// hope that revoking the key leaves the sessions (which can mint new keys and links) alive.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createTenantWithKey } from '@adsync/db';
import { describe, expect, it } from 'vitest';
import { AdminBrowser } from '../testing/admin-browser.ts';
import { api, TestBrowser } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const REPO_ROOT = new URL('../../../../', import.meta.url).pathname;

async function signedIn(apiKey: string): Promise<AdminBrowser> {
  const browser = new AdminBrowser(testbed.gateway.url);
  expect((await browser.signInWithKey(apiKey)).status).toBe(200);
  return browser;
}

async function viaLink(url: string): Promise<AdminBrowser> {
  const browser = new AdminBrowser(testbed.gateway.url);
  expect((await browser.signInWithLink(url)).status).toBe(303);
  return browser;
}

async function sessionStatus(browser: AdminBrowser): Promise<number> {
  return (await browser.call('GET', '/v1/admin/session')).status;
}

describe('revoking an API key', () => {
  it('ends every session it opened, the sessions their links opened, and voids its unused links', async () => {
    const { tenant, apiKey: keeper } = await createTenantWithKey(env.db, { name: 'Stolen key', keyName: 'main' });
    const stolen = await api(testbed.gateway.url, keeper, 'POST', '/v1/api-keys', { name: 'leaked' });
    const leaked = String(stolen.body.apiKey);

    // Sessions the attacker opens with the leaked key, and what they mint.
    const signedInWithKey = await signedIn(leaked);
    const linkFromKey = await api(testbed.gateway.url, leaked, 'POST', '/v1/admin/login-links', {});
    const openedByKeysLink = await viaLink(String(linkFromKey.body.url));
    const linkFromSession = await signedInWithKey.call('POST', '/v1/admin/login-links', {});
    const openedBySessionsLink = await viaLink(String(linkFromSession.body.url));
    const unusedLoginLink = await openedBySessionsLink.call('POST', '/v1/admin/login-links', {});
    const unusedConnectLink = await signedInWithKey.call('POST', '/v1/connect-links', { provider: 'meta' });
    expect(unusedConnectLink.status).toBe(201);
    // The brand's own admin, signed in with the key it keeps.
    const ownAdmin = await signedIn(keeper);
    for (const browser of [signedInWithKey, openedByKeysLink, openedBySessionsLink, ownAdmin]) {
      expect(await sessionStatus(browser)).toBe(200);
    }

    const keys = await api(testbed.gateway.url, keeper, 'GET', '/v1/api-keys');
    const leakedId = (keys.body.apiKeys as { id: string; name: string }[]).find((key) => key.name === 'leaked')?.id;
    expect((await api(testbed.gateway.url, keeper, 'DELETE', `/v1/api-keys/${leakedId}`)).status).toBe(204);

    // At once: every session behind the leaked key is gone, and cannot mint keys or links any more.
    for (const browser of [signedInWithKey, openedByKeysLink, openedBySessionsLink]) {
      expect(await sessionStatus(browser)).toBe(401);
      expect((await browser.call('POST', '/v1/api-keys', { name: 'persist' })).status).toBe(401);
      expect((await browser.call('POST', '/v1/admin/login-links', {})).status).toBe(401);
    }
    for (const url of [String(unusedLoginLink.body.url), String(unusedConnectLink.body.url)]) {
      const page = await new TestBrowser(testbed.gateway.url).fetch(url);
      expect(page.status).toBe(400);
    }
    // The brand's own admin and key are untouched.
    expect(await sessionStatus(ownAdmin)).toBe(200);
    expect((await api(testbed.gateway.url, keeper, 'GET', '/v1/connections')).status).toBe(200);
    const live = await env.db
      .selectFrom('admin_sessions')
      .select('id')
      .where('tenant_id', '=', tenant.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(1);
  });
});

describe('/v1/admin/sessions', () => {
  it('lists live sessions with the key behind each; ends one, or all but the current', async () => {
    const { apiKey } = await createTenantWithKey(env.db, { name: 'Sessions', keyName: 'ops' });
    const other = await createTenantWithKey(env.db, { name: 'Elsewhere', keyName: 't' });
    const laptop = await signedIn(apiKey);
    const phone = await signedIn(apiKey);
    const link = await phone.call('POST', '/v1/admin/login-links', {});
    const openedFromPhone = await viaLink(String(link.body.url));
    const tablet = await signedIn(apiKey);
    const foreign = await signedIn(other.apiKey);

    const listed = await laptop.call('GET', '/v1/admin/sessions');
    const sessions = listed.body.sessions as {
      id: string;
      current: boolean;
      openedVia: string;
      apiKey: { name: string } | null;
    }[];
    expect(sessions).toHaveLength(4);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    expect(sessions.map((session) => session.openedVia).sort()).toEqual([
      'login_link',
      'sign_in',
      'sign_in',
      'sign_in',
    ]);
    expect(sessions.every((session) => session.apiKey?.name === 'ops')).toBe(true);
    expect(JSON.stringify(listed.body)).not.toMatch(/session_|csrf_|token/i);

    // Another tenant's session id is not found, and stays live.
    const foreignId = ((await foreign.call('GET', '/v1/admin/sessions')).body.sessions as { id: string }[])[0]?.id;
    expect((await laptop.call('DELETE', `/v1/admin/sessions/${foreignId}`)).status).toBe(404);
    expect(await sessionStatus(foreign)).toBe(200);

    // Ending the phone's session ends the one its link opened.
    const phoneId = (
      (await phone.call('GET', '/v1/admin/sessions')).body.sessions as { id: string; current: boolean }[]
    ).find((session) => session.current)?.id;
    expect((await laptop.call('DELETE', `/v1/admin/sessions/${phoneId}`)).status).toBe(204);
    expect(await sessionStatus(phone)).toBe(401);
    expect(await sessionStatus(openedFromPhone)).toBe(401);
    expect(await sessionStatus(tablet)).toBe(200);

    // All but the current one.
    expect((await laptop.call('DELETE', '/v1/admin/sessions')).body).toEqual({ ended: 1 });
    expect(await sessionStatus(tablet)).toBe(401);
    expect(await sessionStatus(laptop)).toBe(200);
    expect(await sessionStatus(foreign)).toBe(200);
  });
});

it('`pnpm sessions:end --tenant ID` ends every session of that tenant, and only of it', async () => {
  const brand = await createTenantWithKey(env.db, { name: 'Operator ends', keyName: 't' });
  const other = await createTenantWithKey(env.db, { name: 'Unaffected', keyName: 't' });
  const admins = [await signedIn(brand.apiKey), await signedIn(brand.apiKey)];
  const link = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/connect-links', { provider: 'google' });
  const bystander = await signedIn(other.apiKey);

  const child = spawn(process.execPath, ['packages/db/src/cli/end-sessions.ts', '--tenant', brand.tenant.id], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  expect(output).toContain('Operator ends: 2 session(s) ended, 1 unused login or connect link(s) voided.');
  for (const admin of admins) expect(await sessionStatus(admin)).toBe(401);
  expect((await new TestBrowser(testbed.gateway.url).fetch(String(link.body.url))).status).toBe(400);
  expect(await sessionStatus(bystander)).toBe(200);
});
