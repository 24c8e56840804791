// One conversion-event sender per platform that takes events, configured like the rest of the platform
// clients (every base URL from configuration, so the same code sends to the simulator or the platform).

import type { EventSender } from './events.ts';
import { createMetaEventSender } from './meta/meta.events-sender.ts';
import type { ProviderSettings } from './settings.ts';
import { createTikTokEventSender } from './tiktok/tiktok.events-sender.ts';

export interface EventSenders {
  meta?: EventSender;
  tiktok?: EventSender;
}

/**
 * A sender for each platform whose settings are given with an API base URL. Sending needs no app
 * credentials (the token comes with each batch, from a connection or a destination's own token), so a
 * platform without an OAuth app can still take events.
 */
export function createEventSenders(settings: Partial<Pick<ProviderSettings, 'meta' | 'tiktok'>>): EventSenders {
  const { meta, tiktok } = settings;
  return {
    ...(meta === undefined || meta.graphUrl === '' ? {} : { meta: createMetaEventSender(meta) }),
    ...(tiktok === undefined || tiktok.apiUrl === '' ? {} : { tiktok: createTikTokEventSender(tiktok) }),
  };
}
