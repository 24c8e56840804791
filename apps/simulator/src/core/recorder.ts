// What the simulator saw: request counts per route, and the events delivered to CAPI / Events API, so tests
// can assert on what reached "the platform".

import type { PlatformId } from './platform.ts';

export interface RecordedEvent {
  platform: PlatformId;
  /** e.g. the Meta pixel id or TikTok pixel code. */
  destination: string;
  receivedAt: number;
  testEventCode: string | undefined;
  event: Record<string, unknown>;
}

export interface Recorder {
  countRequest(platform: PlatformId, route: string, status: number): void;
  requestCounts(): Record<string, number>;
  recordEvent(event: RecordedEvent): void;
  events(filter?: { platform?: PlatformId; destination?: string }): RecordedEvent[];
  reset(): void;
}

export function createRecorder(): Recorder {
  const counts = new Map<string, number>();
  let events: RecordedEvent[] = [];
  return {
    countRequest(platform, route, status) {
      for (const key of [`${platform} ${route}`, `${platform} ${route} ${status}`]) {
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    },
    requestCounts: () => Object.fromEntries(counts),
    recordEvent(event) {
      events.push(event);
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
    },
  };
}
