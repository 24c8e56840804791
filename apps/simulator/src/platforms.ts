// Every simulated platform. Each one lives in its own folder and is written from the platform's documented
// behaviour; nothing here imports adsync's own platform clients.

import type { SimulatedPlatform, SimulatorContext } from './core/platform.ts';
import { createGooglePlatform } from './google/google.platform.ts';
import { createKlaviyoPlatform } from './klaviyo/klaviyo.platform.ts';
import { createMetaPlatform } from './meta/meta.platform.ts';
import { createTikTokPlatform } from './tiktok/tiktok.platform.ts';

export const PLATFORM_FACTORIES: readonly ((context: SimulatorContext) => SimulatedPlatform)[] = [
  createMetaPlatform,
  createGooglePlatform,
  createTikTokPlatform,
  createKlaviyoPlatform,
];
