// Headless Chromium for end-to-end tests: Debian's own build (never a downloaded browser), started with
// the flags this workplace's closed network needs. Playwright gives each launch a fresh temporary profile.

import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export type { Browser };

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether a browser is installed; .ci/run installs Debian's chromium, a laptop may not have it. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
