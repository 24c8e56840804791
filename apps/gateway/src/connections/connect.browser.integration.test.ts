// Each connect flow in headless Chromium, as a brand admin does it: open a login link that lands on our
// start link, approve on the platform's consent page (the simulator's), and arrive on our result page.

import { createTenantWithKey, listAdAccounts, listConnections } from '@adsync/db';
import { type RunningSimulator, startSimulator } from '@adsync/simulator';
import { type Browser, hasChromium, launchChromium, useTestEnvironment } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../testing/connect-client.ts';
import { startTestGateway, type TestGateway } from '../testing/gateway-harness.ts';

const env = useTestEnvironment();
let sim: RunningSimulator;
let gateway: TestGateway;
let browser: Browser;

/** Per platform: the one account to leave checked on the consent page. */
const FLOWS: Record<string, string> = {
  meta: 'act_1000000002',
  google: '1000000015',
};

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  gateway = await startTestGateway({
    db: env.db,
    redisUrl: env.redisUrl,
    queuePrefix: env.queuePrefix,
    simulatorUrl: sim.url,
  });
  if (hasChromium()) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  await sim?.close();
});

describe.runIf(hasChromium())('connect flows in a browser', () => {
  for (const [provider, account] of Object.entries(FLOWS)) {
    it(`${provider}: login link → consent → connected`, async () => {
      const { tenant, apiKey } = await createTenantWithKey(env.db, { name: `Browser ${provider}`, keyName: 't' });
      const link = await api(gateway.url, apiKey, 'POST', '/v1/admin/login-links', {
        next: `/oauth/${provider}/start`,
      });
      const page = await (await browser.newContext()).newPage();
      try {
        await page.goto(String(link.body.url));
        await expect.poll(() => page.getByRole('button', { name: 'Approve' }).count()).toBe(1);
        for (const box of await page.locator('input[name="accounts"]').all()) {
          if ((await box.getAttribute('value')) !== account) await box.uncheck();
        }
        await Promise.all([
          page.waitForURL(`${gateway.url}/oauth/${provider}/callback**`),
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
