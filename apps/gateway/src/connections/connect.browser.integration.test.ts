// Each connect flow in headless Chromium, as a brand admin does it: open the connect link the brand's backend
// minted, continue from its page (which names the tenant), approve on the platform's consent page (the
// simulator's), and arrive on our result page.

import { createTenantWithKey, listAdAccounts, listConnections } from '@adsync/db';
import { type Browser, hasChromium, launchChromium } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { useGatewayWithSimulator } from '../testing/use-gateway-with-simulator.ts';

let browser: Browser;
const testbed = useGatewayWithSimulator();
const { env } = testbed;

beforeAll(async () => {
  if (hasChromium()) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
/** Per platform: the one account to leave checked on the consent page. */
const FLOWS: Record<string, string> = {
  meta: 'act_1000000002',
  google: '1000000015',
  tiktok: '7000000000000000002',
  klaviyo: 'AcMe01',
};

describe.runIf(hasChromium())('connect flows in a browser', () => {
  for (const [provider, account] of Object.entries(FLOWS)) {
    it(`${provider}: connect link → consent → connected`, async () => {
      const { tenant, apiKey } = await createTenantWithKey(env.db, { name: `Browser ${provider}`, keyName: 't' });
      const link = await api(testbed.gateway.url, apiKey, 'POST', '/v1/connect-links', { provider });
      expect(link.status).toBe(201);
      const page = await (await browser.newContext()).newPage();
      try {
        await page.goto(String(link.body.url));
        await expect.poll(() => page.locator('h1').textContent()).toContain(`to Browser ${provider}?`);
        // The page's strict policy (form-action) lets its form's answer go on to the platform's consent page.
        await page.getByRole('button', { name: /^Continue to / }).click();
        await expect.poll(() => page.getByRole('button', { name: 'Approve' }).count()).toBe(1);
        for (const box of await page.locator('input[name="accounts"]').all()) {
          if ((await box.getAttribute('value')) !== account) await box.uncheck();
        }
        await Promise.all([
          page.waitForURL(`${testbed.gateway.url}/oauth/${provider}/callback**`),
          page.getByRole('button', { name: 'Approve' }).click(),
        ]);
        await expect.poll(() => page.locator('h1').textContent()).toBe(`${provider} is connected`);
      } finally {
        await page.context().close();
      }
      const [connection] = await listConnections(env.db, tenant.id);
      expect(connection?.status).toBe('active');
      const accounts = await listAdAccounts(env.db, { tenantId: tenant.id });
      expect(accounts.filter((row) => row.selected).map((row) => row.external_id)).toEqual([account]);
    });
  }
});
