import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, hasChromium, launchChromium } from '@adsync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOOGLE_APP, KLAVIYO_APP, META_APP, TIKTOK_APPS } from './seed/apps.ts';
import { buildSimulator, type RunningSimulator, startSimulator } from './simulator.ts';

const ARTIFACTS = new URL('../../../test-artifacts/simulator-consent/', import.meta.url).pathname;

/** The platforms this build of the simulator mounts: each must have a consent page a person can complete. */
const MOUNTED = await (async () => {
  const probe = await buildSimulator();
  await probe.app.close();
  return probe.platforms.map((platform) => platform.id);
})();

let simulator: RunningSimulator;
let browser: Browser;
let callbackServer: Server;
let callbackUrl: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  simulator = await startSimulator({ port: 0 });
  // The "brand's" redirect target: answers every callback with a plain page, so the browser lands somewhere.
  callbackServer = createServer((_request, response) => response.end('callback received'));
  callbackServer.listen(0, '127.0.0.1');
  await new Promise((resolve) => callbackServer.once('listening', resolve));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/oauth/callback`;
  if (hasChromium()) browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  callbackServer?.close();
  await simulator?.close();
});

function authorizeUrls(state: string): Record<string, string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const rotatingTikTokApp = TIKTOK_APPS[0];
  return {
    meta: `${simulator.url}/meta/www/v25.0/dialog/oauth?${query({
      client_id: META_APP.appId,
      redirect_uri: callbackUrl,
      state,
      scope: 'ads_read,ads_management,business_management',
      response_type: 'code',
    })}`,
    google: `${simulator.url}/google/accounts/o/oauth2/v2/auth?${query({
      client_id: GOOGLE_APP.clientId,
      redirect_uri: callbackUrl,
      response_type: 'code',
      scope: 'https://www.googleapis.com/auth/adwords',
      access_type: 'offline',
      prompt: 'consent',
      state,
    })}`,
    tiktok: `${simulator.url}/tiktok/portal/auth?${query({
      app_id: rotatingTikTokApp.appId,
      state,
      redirect_uri: callbackUrl,
    })}`,
    klaviyo: `${simulator.url}/klaviyo/www/oauth/authorize?${query({
      response_type: 'code',
      client_id: KLAVIYO_APP.clientId,
      redirect_uri: callbackUrl,
      scope: 'accounts:read lists:read segments:read profiles:read catalogs:read',
      state,
      code_challenge_method: 'S256',
      code_challenge: challenge,
    })}`,
  };
}

/** The parameter each platform puts its authorization code in. */
const CODE_PARAMETER: Record<string, string> = { meta: 'code', google: 'code', tiktok: 'auth_code', klaviyo: 'code' };

describe.runIf(hasChromium())('consent pages in headless Chromium', () => {
  it('covers every mounted platform', () => {
    expect(MOUNTED.length).toBeGreaterThan(0);
    for (const platform of MOUNTED) expect(Object.keys(authorizeUrls('probe'))).toContain(platform);
  });

  for (const platform of MOUNTED) {
    it(`${platform}: a person approves in the browser and lands on the callback with a code`, async () => {
      const state = `state-${platform}-${randomBytes(4).toString('hex')}`;
      const page = await browser.newPage();
      try {
        await page.goto(authorizeUrls(state)[platform] ?? '');
        await expect.poll(() => page.getByRole('button', { name: 'Approve' }).count()).toBe(1);
        await page.screenshot({ path: `${ARTIFACTS}${platform}-consent.png`, fullPage: true });
        await Promise.all([page.waitForURL(`${callbackUrl}**`), page.getByRole('button', { name: 'Approve' }).click()]);
        const landed = new URL(page.url());
        expect(landed.searchParams.get('state')).toBe(state);
        expect(landed.searchParams.get(CODE_PARAMETER[platform] ?? 'code')).toMatch(/.{8,}/);
        expect(landed.searchParams.get('error')).toBeNull();
      } finally {
        await page.close();
      }
    });

    it(`${platform}: Deny lands on the callback with the platform's error parameters and no code`, async () => {
      const state = `deny-${platform}`;
      const page = await browser.newPage();
      try {
        await page.goto(authorizeUrls(state)[platform] ?? '');
        await Promise.all([page.waitForURL(`${callbackUrl}**`), page.getByRole('button', { name: 'Deny' }).click()]);
        const landed = new URL(page.url());
        expect(landed.searchParams.get(CODE_PARAMETER[platform] ?? 'code')).toBeNull();
        expect(landed.searchParams.get('error') ?? landed.searchParams.get('error_code')).not.toBeNull();
      } finally {
        await page.close();
      }
    });
  }
});
