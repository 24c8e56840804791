// A victim's grant must never land in an attacker's tenant (security review, issue 19 item 1), tried as the
// review did: an attacker starts a connect flow with its own API key and sends the platform's consent URL to
// a brand admin; an attacker's login link walks a victim's browser into the attacker's tenant (login CSRF);
// another site drives a browser through our start link.

import { createTenantWithKey, listConnections } from '@adsync/db';
import { completeConsent } from '@adsync/simulator';
import { describe, expect, it } from 'vitest';
import { AdminBrowser } from '../testing/admin-browser.ts';
import { api, startConnect, TestBrowser } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;

async function stateRows(tenantId: string): Promise<number> {
  const row = await env.db
    .selectFrom('oauth_states')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

function codeOnPage(page: string): string {
  return /code: ([a-z_]+)/.exec(page)?.[1] ?? '';
}

describe("the platform's consent URL is not a credential", () => {
  it('an API key gets no consent URL from the start link, and writes no state', async () => {
    const attacker = await createTenantWithKey(env.db, { name: 'Attacker', keyName: 't' });
    const start = await fetch(`${testbed.gateway.url}/oauth/google/start`, {
      headers: { authorization: `Bearer ${attacker.apiKey}` },
      redirect: 'manual',
    });
    expect(start.status).toBe(403);
    expect(start.headers.get('location')).toBeNull();
    expect(codeOnPage(await start.text())).toBe('connect_link_required');
    expect(await stateRows(attacker.tenant.id)).toBe(0);
  });

  it("an attacker's consent URL, approved by a brand admin in their own browser, stores nothing anywhere", async () => {
    const attacker = await createTenantWithKey(env.db, { name: 'Attacker', keyName: 't' });
    const victim = await createTenantWithKey(env.db, { name: 'Victim brand', keyName: 't' });
    // The attacker opens its own connect link in its own browser, to get as far as Google's consent URL.
    const started = await startConnect(testbed.gateway.url, attacker.apiKey, 'google');
    expect(started.status).toBe(303);
    const consentUrl = started.location ?? '';
    expect(new URL(consentUrl).pathname).toContain('/google/accounts');

    // The victim's admin, signed in to their own tenant or not, approves it in their browser.
    for (const signedIn of [false, true]) {
      const victimBrowser = new AdminBrowser(testbed.gateway.url);
      if (signedIn) expect((await victimBrowser.signInWithKey(victim.apiKey)).status).toBe(200);
      const callback = await completeConsent(consentUrl, { decision: 'approve' });
      const landed = await victimBrowser.fetch(callback);
      expect(landed.status).toBe(400);
      expect(codeOnPage(await landed.text())).toBe(signedIn ? 'state_tenant_mismatch' : 'state_browser_missing');
    }
    // The same consent answer, arriving with no cookie at all (as the review reproduced it).
    const bare = await fetch(await completeConsent(consentUrl, { decision: 'approve' }), { redirect: 'manual' });
    expect(codeOnPage(await bare.text())).toBe('state_browser_missing');
    expect(await listConnections(env.db, attacker.tenant.id)).toEqual([]);
    expect(await listConnections(env.db, victim.tenant.id)).toEqual([]);
  });

  it("a browser holding another flow's binding cookie is refused as another browser", async () => {
    const brand = await createTenantWithKey(env.db, { name: 'Two tabs', keyName: 't' });
    const first = await startConnect(testbed.gateway.url, brand.apiKey, 'meta');
    const second = await startConnect(testbed.gateway.url, brand.apiKey, 'meta');
    const callback = await completeConsent(first.location ?? '', { decision: 'approve', accounts: ['act_1000000001'] });
    const [firstCookie] = first.browser.cookieNames();
    const [secondCookie] = second.browser.cookieNames();
    // The second browser's cookie, renamed to the first flow's: the secret does not match.
    const forged = `${firstCookie}=${second.browser.cookie(secondCookie ?? '')}`;
    const answer = await new TestBrowser(testbed.gateway.url).fetch(callback, { headers: { cookie: forged } });
    expect(codeOnPage(await answer.text())).toBe('state_browser_mismatch');
    expect(await listConnections(env.db, brand.tenant.id)).toEqual([]);
    // The browser that started it finishes it.
    expect((await first.browser.fetch(callback)).status).toBe(200);
    expect((await listConnections(env.db, brand.tenant.id)).map((row) => row.status)).toEqual(['active']);
  });

  it('the binding cookie is httpOnly, SameSite=Lax, short-lived and only for the OAuth routes', async () => {
    const brand = await createTenantWithKey(env.db, { name: 'Cookie', keyName: 't' });
    const started = await startConnect(testbed.gateway.url, brand.apiKey, 'tiktok');
    const cookie = started.response.headers.getSetCookie().find((line) => line.startsWith('adsync_oauth_'));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/oauth\//);
    expect(cookie).toMatch(/Max-Age=600/);
  });
});

describe('connect links', () => {
  it('name the tenant before anything happens, work once, and go straight on for its own signed-in admin', async () => {
    const brand = await createTenantWithKey(env.db, { name: 'Acme Store', keyName: 't' });
    const other = await createTenantWithKey(env.db, { name: 'Other brand', keyName: 't' });
    const minted = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/connect-links', { provider: 'meta' });
    expect(minted.status).toBe(201);
    const url = String(minted.body.url);

    // Opened by someone signed in to another tenant: a page says whose tenant this is, and nothing is written.
    const stranger = new AdminBrowser(testbed.gateway.url);
    await stranger.signInWithKey(other.apiKey);
    const page = await stranger.fetch(url);
    const text = await page.text();
    expect(page.status).toBe(200);
    expect(text).toContain('Connect Meta to Acme Store?');
    expect(text).toContain('You are signed in to adsync as Other brand');
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(await stateRows(brand.tenant.id)).toBe(0);
    // A cross-site form cannot press its button.
    const token = /name="token" value="([^"]+)"/.exec(text)?.[1] ?? '';
    const forged = await stranger.fetch('/oauth/connect', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(await stateRows(brand.tenant.id)).toBe(0);

    // The brand's own admin, signed in, goes straight to Meta; the link is then spent.
    const admin = new AdminBrowser(testbed.gateway.url);
    await admin.signInWithKey(brand.apiKey);
    const opened = await admin.fetch(url);
    expect(opened.status).toBe(303);
    expect(new URL(opened.headers.get('location') ?? '').pathname).toContain('/meta/www/');
    expect(await stateRows(brand.tenant.id)).toBe(1);
    const again = await new TestBrowser(testbed.gateway.url).fetch(url);
    expect(again.status).toBe(400);
    expect(codeOnPage(await again.text())).toBe('connect_link_invalid');
  });

  it('refuse an unknown platform, a return URL off our origin, and an unknown token', async () => {
    const { apiKey } = await createTenantWithKey(env.db, { name: 'Link checks', keyName: 't' });
    expect((await api(testbed.gateway.url, apiKey, 'POST', '/v1/connect-links', { provider: 'myspace' })).status).toBe(
      404,
    );
    const offsite = await api(testbed.gateway.url, apiKey, 'POST', '/v1/connect-links', {
      provider: 'meta',
      returnTo: 'https://evil.example/steal',
    });
    expect(offsite.body.error?.code).toBe('invalid_return_url');
    const unknown = await fetch(`${testbed.gateway.url}/oauth/connect?token=connect_made-up`);
    expect(unknown.status).toBe(400);
    expect(codeOnPage(await unknown.text())).toBe('connect_link_invalid');
  });
});

describe('login links (login CSRF)', () => {
  it("may only lead into the admin page: an attacker's link cannot walk a victim into a consent page", async () => {
    const attacker = await createTenantWithKey(env.db, { name: 'Attacker', keyName: 't' });
    for (const next of ['/oauth/meta/start', '/oauth/connect?token=x', '/v1/connections', 'https://evil.example']) {
      const link = await api(testbed.gateway.url, attacker.apiKey, 'POST', '/v1/admin/login-links', { next });
      expect({ next, status: link.status, code: link.body.error?.code }).toEqual({
        next,
        status: 400,
        code: 'invalid_next',
      });
    }
  });

  it("opening one never replaces a victim's session: it asks first, and signs in only from its own page", async () => {
    const attacker = await createTenantWithKey(env.db, { name: 'Attacker', keyName: 't' });
    const victim = await createTenantWithKey(env.db, { name: 'Victim brand', keyName: 't' });
    const victimBrowser = new AdminBrowser(testbed.gateway.url);
    await victimBrowser.signInWithKey(victim.apiKey);
    const link = await api(testbed.gateway.url, attacker.apiKey, 'POST', '/v1/admin/login-links', {});
    const page = await victimBrowser.fetch(String(link.body.url));
    const text = await page.text();
    expect(page.status).toBe(200);
    expect(text).toContain('Sign in to Attacker?');
    expect(text).toContain('You are signed in as Victim brand now');
    expect(page.headers.getSetCookie()).toEqual([]);
    expect((await victimBrowser.call('GET', '/v1/admin/session')).body).toMatchObject({
      tenant: { name: 'Victim brand' },
    });
    // Another site submitting the page's form for the victim is refused, and the link stays unused.
    const token = /name="token" value="([^"]+)"/.exec(text)?.[1] ?? '';
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
      const forged = await victimBrowser.fetch('/admin/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ token }).toString(),
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.getSetCookie()).toEqual([]);
    }
    expect((await victimBrowser.call('GET', '/v1/admin/session')).body).toMatchObject({
      tenant: { name: 'Victim brand' },
    });
  });
});

describe('the start link', () => {
  it('writes nothing on a drive-by navigation from another site, signed in or not', async () => {
    const brand = await createTenantWithKey(env.db, { name: 'Drive-by', keyName: 't' });
    const anonymous = await fetch(`${testbed.gateway.url}/oauth/meta/start`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
      redirect: 'manual',
    });
    expect(anonymous.status).toBe(403);
    const admin = new AdminBrowser(testbed.gateway.url);
    await admin.signInWithKey(brand.apiKey);
    const driven = await admin.fetch('/oauth/meta/start', {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    expect(driven.status).toBe(403);
    expect(codeOnPage(await driven.text())).toBe('cross_site_start');
    expect(await stateRows(brand.tenant.id)).toBe(0);
    // From the admin page itself, it starts.
    const own = await admin.fetch('/oauth/meta/start', { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(302);
    expect(await stateRows(brand.tenant.id)).toBe(1);
  });
});
