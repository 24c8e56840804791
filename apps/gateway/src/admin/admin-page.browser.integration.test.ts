// The admin page in headless Chromium, as a new brand admin uses it: sign in with the brand's API key (by
// keyboard), walk the wizard connecting all four platforms through the simulator's consent pages, choose
// ad accounts, watch spend appear (the real worker-spend syncing from the simulator), disconnect and
// reconnect Meta, replay a dead letter, and see Klaviyo synced. Each page is saved as a screenshot in
// test-artifacts/screenshots.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTenantWithKey, listAdAccounts, listConnections, updateConnection } from '@adsync/db';
import { controlSimulator } from '@adsync/simulator';
import { type Browser, hasChromium, launchChromium, startWorkerProcess, type WorkerProcess } from '@adsync/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

const testbed = useGatewayWithSimulator();
const { env } = testbed;
const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');
const META_PIXEL = '2000000000000001'; // reached through act_1000000001

let browser: Browser;
let page: Page;
let workers: WorkerProcess[] = [];
let brand: { tenantId: string; apiKey: string };

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `admin-${name}.png`), fullPage: true });
}

/** Leaves only `keep` checked on the platform's consent page, approves, and waits to be back on adsync. */
async function approveConsent(keep: readonly string[]): Promise<void> {
  await page.getByRole('button', { name: 'Approve' }).waitFor();
  for (const box of await page.locator('input[name="accounts"]').all()) {
    const value = (await box.getAttribute('value')) ?? '';
    if (keep.includes(value)) await box.check();
    else await box.uncheck();
  }
  await Promise.all([
    page.waitForURL(`${testbed.gateway.url}/admin**`),
    page.getByRole('button', { name: 'Approve' }).click(),
  ]);
}

const card = (provider: string) => page.locator(`section[data-provider="${provider}"]`);
const statusOf = (provider: string) => card(provider).getByTestId('status').textContent();

const control = (path: string, body: unknown) => controlSimulator(testbed.sim.url, path, body);

beforeAll(async () => {
  if (!hasChromium()) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const created = await createTenantWithKey(env.db, { name: 'Northwind Outfitters', keyName: 'admin' });
  brand = { tenantId: created.tenant.id, apiKey: created.apiKey };
  const workerEnv = {
    ...env.env,
    SIMULATOR_URL: testbed.sim.url,
    PUBLIC_BASE_URL: testbed.gateway.url,
  };
  workers = await Promise.all([
    startWorkerProcess('worker-spend', workerEnv),
    startWorkerProcess('worker-capi', { ...workerEnv, EVENTS_LINGER_MS: '50' }),
    startWorkerProcess('worker-klaviyo', workerEnv),
  ]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(workers.map((worker) => worker.stop()));
});

describe.runIf(hasChromium())('the admin page in a browser', () => {
  it('signs in with the API key, by keyboard; a wrong key is refused in plain words', async () => {
    await page.goto(`${testbed.gateway.url}/admin`);
    await page.getByRole('heading', { name: 'Sign in to adsync' }).waitFor();
    await screenshot('sign-in');

    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('api-key');
    await page.keyboard.type('adsync_not-a-real-key');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That API key is not valid');
    await screenshot('sign-in-refused');

    await page.getByLabel('API key').fill(brand.apiKey);
    await page.keyboard.press('Enter');
    // A brand that has connected nothing lands on the wizard.
    await page.getByRole('heading', { name: 'Set up adsync' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/onboarding');
    await expect.poll(() => page.getByText('0 of 4 platforms done').count()).toBe(1);
    // The key is nowhere in the page or its storage.
    expect(await page.content()).not.toContain(brand.apiKey);
    expect(await page.evaluate('JSON.stringify(localStorage) + document.cookie')).not.toContain(brand.apiKey);
  });

  it('walks the wizard: all four platforms connected through their consent pages, accounts chosen', async () => {
    // Step 4, Meta: two accounts shared, so adsync asks which to sync.
    await page.getByRole('heading', { name: 'Step 4 of 7: connect Meta Ads' }).waitFor();
    await screenshot('wizard-meta');
    await page.getByRole('link', { name: 'Connect Meta Ads' }).click();
    await approveConsent(['act_1000000001', 'act_1000000002']);
    await expect.poll(() => statusOf('meta')).toBe('Connected: choose ad accounts');
    await page.getByRole('checkbox', { name: /act_1000000002/ }).uncheck();
    await page.getByRole('checkbox', { name: /act_1000000001/ }).check();
    await page.getByRole('button', { name: 'Save account selection' }).click();
    await expect.poll(() => statusOf('meta')).toBe('Connected');
    await screenshot('wizard-meta-accounts');
    await page.getByRole('button', { name: 'Next step' }).click();

    // Step 5, Google.
    await page.getByRole('heading', { name: 'Step 5 of 7: connect Google Ads' }).waitFor();
    await page.getByRole('link', { name: 'Connect Google Ads' }).click();
    await approveConsent(['1000000015']);
    await expect.poll(() => statusOf('google')).toBe('Connected');
    await page.getByRole('button', { name: 'Next step' }).click();

    // Step 6, TikTok: skipped first, then resumed (skip and resume later).
    await page.getByRole('heading', { name: 'Step 6 of 7: connect TikTok Ads' }).waitFor();
    await page.getByRole('button', { name: 'Skip this step' }).click();
    await page.getByRole('heading', { name: 'Step 7 of 7: connect Klaviyo' }).waitFor();
    await expect.poll(() => page.locator('.steps__item--skipped').textContent()).toContain('TikTok Ads');
    await screenshot('wizard-skipped');
    await page.getByRole('link', { name: 'Step 6: TikTok Ads' }).click();
    await page.getByRole('button', { name: 'Set up TikTok Ads now' }).click();
    await page.getByRole('link', { name: 'Connect TikTok Ads' }).click();
    await approveConsent(['7000000000000000002']);
    await expect.poll(() => statusOf('tiktok')).toBe('Connected');
    await page.getByRole('button', { name: 'Next step' }).click();

    // Step 7, Klaviyo, through Klaviyo's OAuth consent.
    await page.getByRole('heading', { name: 'Step 7 of 7: connect Klaviyo' }).waitFor();
    await page.getByRole('link', { name: 'Connect Klaviyo' }).click();
    await approveConsent(['AcMe01']);
    await expect.poll(() => statusOf('klaviyo')).toBe('Connected');
    await page.getByRole('button', { name: 'Next step' }).click();
    await page.getByRole('heading', { name: 'Setup complete' }).waitFor();
    await expect.poll(() => page.getByText('4 of 4 platforms done').count()).toBe(1);
    await screenshot('wizard-complete');

    const connections = await listConnections(env.db, brand.tenantId);
    expect(connections.map((row) => [row.provider, row.status]).sort()).toEqual([
      ['google', 'active'],
      ['klaviyo', 'active'],
      ['meta', 'active'],
      ['tiktok', 'active'],
    ]);
    const selected = (await listAdAccounts(env.db, { tenantId: brand.tenantId }))
      .filter((account) => account.selected)
      .map((account) => account.external_id)
      .sort();
    expect(selected).toEqual(['1000000015', '7000000000000000002', 'AcMe01', 'act_1000000001'].sort());
  });

  it('shows spend appear as a chart and by region once the first syncs land', async () => {
    await page.getByRole('link', { name: 'See spend' }).click();
    await page.getByRole('heading', { name: 'Spend', exact: true }).waitFor();
    // The page polls; worker-spend fills the last days from the simulator in the background.
    const barsOf = (provider: string) => page.locator(`.chart__bar[data-provider="${provider}"]`).count();
    for (const provider of ['meta', 'google', 'tiktok']) {
      await expect.poll(() => barsOf(provider), { timeout: 90_000, interval: 1_000 }).toBeGreaterThan(0);
    }
    await expect
      .poll(() => page.getByTestId('regions').locator('tbody tr').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await screenshot('spend');
  }, 240_000);

  it('disconnects Meta after a confirmation, then connects it again', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'Integrations' }).waitFor();
    await screenshot('integrations');
    await card('meta').getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect Meta Ads?' });
    await dialog.waitFor();
    await screenshot('disconnect-confirm');
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await statusOf('meta')).toBe('Connected');
    await card('meta').getByRole('button', { name: 'Disconnect' }).click();
    await dialog.getByRole('button', { name: 'Disconnect Meta Ads' }).click();
    await expect.poll(() => statusOf('meta')).toBe('Disconnected');
    const [meta] = (await listConnections(env.db, brand.tenantId)).filter((row) => row.provider === 'meta');
    expect(meta?.status).toBe('disconnected');

    await card('meta').getByRole('link', { name: 'Connect Meta Ads' }).click();
    await approveConsent(['act_1000000001']);
    expect(new URL(page.url()).searchParams.get('provider')).toBe('meta');
    // A spend sync queued before the disconnect may meet the revoked token and check the connection with a
    // refresh, so "Refreshing access" can show for a moment before "Connected" (the cards poll every 10 s).
    await expect.poll(() => statusOf('meta'), { timeout: 30_000, interval: 500 }).toBe('Connected');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Meta Ads is connected');
    await screenshot('integrations-reconnected');
    const metas = (await listConnections(env.db, brand.tenantId)).filter((row) => row.provider === 'meta');
    expect(metas.map((row) => row.status)).toContain('active');
  });

  it('tells a lapsing Meta token, a refresh under way and a connection that needs reconnection; reconnects', async () => {
    const meta = (await listConnections(env.db, brand.tenantId)).find(
      (row) => row.provider === 'meta' && row.status === 'active',
    );
    if (meta === undefined) throw new Error('Meta is not connected');
    const key = { tenantId: brand.tenantId, connectionId: meta.id };
    const lock = `${env.queuePrefix}:refresh-lock:${meta.id}`;
    await updateConnection(env.db, key, { access_token_expires_at: new Date(Date.now() + 5 * 86_400_000) });
    await env.redis.set(lock, 'a worker', 'PX', 60_000);
    await page.reload();
    await expect.poll(() => statusOf('meta')).toBe('Refreshing access');
    expect(await card('meta').textContent()).toContain('cannot be renewed automatically');
    expect(await card('meta').getByRole('status').textContent()).toContain('in 5 days');
    await screenshot('integrations-expiry-warning');
    await env.redis.del(lock);

    await updateConnection(env.db, key, {
      status: 'needs_reauth',
      last_error_code: 'invalid_grant',
      last_error_message: 'Meta revoked adsync’s access (the password changed). Reconnect Meta to restore it.',
      last_error_at: new Date(),
    });
    await page.reload();
    await expect.poll(() => statusOf('meta')).toBe('Needs reconnection');
    expect(await card('meta').textContent()).toContain('Meta revoked adsync’s access');
    await screenshot('integrations-needs-reconnection');
    await card('meta').getByRole('button', { name: 'Reconnect' }).click();
    await approveConsent(['act_1000000001']);
    await expect.poll(() => statusOf('meta'), { timeout: 30_000, interval: 500 }).toBe('Connected');
    const [after] = (await listConnections(env.db, brand.tenantId)).filter((row) => row.id === meta.id);
    expect(after?.status).toBe('active');
    expect(after?.last_error_code).toBeNull();
  });

  it('shows event delivery counts and replays a dead letter', async () => {
    const meta = (await listConnections(env.db, brand.tenantId)).find(
      (row) => row.provider === 'meta' && row.status === 'active',
    );
    const destination = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events/destinations', {
      provider: 'meta',
      pixelId: META_PIXEL,
      connectionId: meta?.id,
    });
    expect(destination.status, JSON.stringify(destination.body)).toBe(201);
    const time = Math.floor(Date.now() / 1000) - 60;
    const lead = (id: string) => ({
      id,
      name: 'Lead',
      time,
      actionSource: 'system_generated',
      user: { email: `${id}@example.com` },
    });
    await control('events/reject', { platform: 'meta', eventIds: ['browser-poison'] });
    const sent = await api(testbed.gateway.url, brand.apiKey, 'POST', '/v1/events', {
      events: [lead('browser-good-1'), lead('browser-good-2'), lead('browser-poison')],
    });
    expect(sent.status).toBe(202);

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Events' }).click();
    const delivery = page.getByTestId('delivery');
    await expect
      .poll(async () => (await delivery.locator('tbody tr').first().locator('td').allTextContents()).slice(0, 3), {
        timeout: 30_000,
      })
      .toEqual(['2', '1', '0']);
    await page.reload();
    const letters = page.getByTestId('dead-letters');
    await expect.poll(() => letters.locator('tbody tr').count()).toBe(1);
    await screenshot('events');

    await control('faults/clear', {});
    await page.getByRole('checkbox', { name: /browser-poison/ }).check();
    await page.getByRole('button', { name: 'Replay 1 event(s)' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('1 event(s) sent back to delivery');
    await expect
      .poll(async () => (await delivery.locator('tbody tr').first().locator('td').allTextContents()).slice(0, 1), {
        timeout: 30_000,
      })
      .toEqual(['3']);
    await screenshot('events-replayed');
  });

  it('shows Klaviyo synced: lists, segments and syncs', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Klaviyo' }).click();
    await page.getByRole('heading', { name: 'Lists and segments' }).waitFor();
    await expect
      .poll(() => page.locator('#syncs-title ~ table tbody tr').count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(async () => (await page.locator('section[aria-labelledby="groups-title"] li').count()) > 0, {
        timeout: 60_000,
      })
      .toBe(true);
    await screenshot('klaviyo');
  });

  it('signs out; the session no longer works', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to adsync' }).waitFor();
    const status = await page.evaluate("fetch('/v1/connections').then((response) => response.status)");
    expect(status).toBe(401);
  });
});
