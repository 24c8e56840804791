// What the simulator saw: request counts per route, and the events delivered to CAPI / Events API, so tests
// can assert on what reached "the platform". Like the platforms, it recognises a server event sent again
// with the same event_id (and, at Meta, the same event_name) within 48 hours (providers.md §1.6, §3.5): the
// repeat is recorded, marked `deduplicated`, and does not count as a second conversion.

import type { PlatformId } from './platform.ts';

const DEDUP_WINDOW_MS = 48 * 3_600_000;

export interface RecordedEvent {
  platform: PlatformId;
  /** e.g. the Meta pixel id or TikTok pixel code. */
  destination: string;
  receivedAt: number;
  testEventCode: string | undefined;
  event: Record<string, unknown>;
  /** The platform already had this event (same destination and event id) within its dedup window. */
  deduplicated: boolean;
}

export interface Recorder {
  countRequest(platform: PlatformId, route: string, status: number): void;
  requestCounts(): Record<string, number>;
  recordEvent(event: Omit<RecordedEvent, 'deduplicated'>): void;
  events(filter?: { platform?: PlatformId; destination?: string }): RecordedEvent[];
  reset(): void;
}

export function createRecorder(): Recorder {
  const counts = new Map<string, number>();
  let events: RecordedEvent[] = [];
  /** When each event was first received, by dedup key. */
  const firstReceived = new Map<string, number>();
  const dedupKey = ({ platform, destination, event }: Omit<RecordedEvent, 'deduplicated'>) =>
    JSON.stringify([platform, destination, platform === 'meta' ? event.event_name : '', event.event_id]);
  return {
    countRequest(platform, route, status) {
      for (const key of [`${platform} ${route}`, `${platform} ${route} ${status}`]) {
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    },
    requestCounts: () => Object.fromEntries(counts),
    recordEvent(event) {
      const key = dedupKey(event);
      const first = event.event.event_id === undefined ? undefined : firstReceived.get(key);
      const deduplicated = first !== undefined && event.receivedAt - first < DEDUP_WINDOW_MS;
      if (!deduplicated && event.event.event_id !== undefined) firstReceived.set(key, event.receivedAt);
      events.push({ ...event, deduplicated });
    },
    events(filter = {}) {
      return events.filter(
        (event) =>
          (filter.platform === undefined || event.platform === filter.platform) &&
          (filter.destination === undefined || event.destination === filter.destination),
      );
    },
    reset() {
      counts.clear();
      events = [];
      firstReceived.clear();
    },
  };
}
