// One spend reader per ad platform, configured like the rest of the platform clients (every base URL from
// configuration, so the same code reads the simulator or the real platform).

import type { SpendProvider } from '@adsync/db';
import {
  createGoogleSpendReader,
  createMetaSpendReader,
  createTikTokSpendReader,
  type ProviderSettings,
  type SpendReader,
} from '@adsync/providers';

export type SpendReaders = Record<SpendProvider, SpendReader>;

export function createSpendReaders(settings: ProviderSettings, options: { metaStallMs: number }): SpendReaders {
  return {
    meta: createMetaSpendReader(settings.meta, { stallAfterMs: options.metaStallMs }),
    google: createGoogleSpendReader(settings.google),
    tiktok: createTikTokSpendReader(settings.tiktok),
  };
}
