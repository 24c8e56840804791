import { describe, expect, it } from 'vitest';
import { createRecorder } from './recorder.ts';

const HOUR = 3_600_000;

describe('the recorder deduplicates server events like the platforms', () => {
  const send = (
    recorder: ReturnType<typeof createRecorder>,
    platform: 'meta' | 'tiktok',
    event: Record<string, unknown>,
    receivedAt: number,
    destination = 'pixel-1',
  ) => recorder.recordEvent({ platform, destination, receivedAt, testEventCode: undefined, event });

  it('marks a repeat of the same event id (and, at Meta, event name) within 48 hours', () => {
    const recorder = createRecorder();
    send(recorder, 'meta', { event_id: 'order-1', event_name: 'Purchase' }, 0);
    send(recorder, 'meta', { event_id: 'order-1', event_name: 'Purchase' }, HOUR);
    send(recorder, 'meta', { event_id: 'order-1', event_name: 'Lead' }, HOUR);
    send(recorder, 'meta', { event_id: 'order-1', event_name: 'Purchase' }, HOUR, 'pixel-2');
    send(recorder, 'tiktok', { event_id: 'order-1', event: 'CompletePayment' }, 0);
    send(recorder, 'tiktok', { event_id: 'order-1', event: 'PlaceAnOrder' }, HOUR);
    expect(recorder.events().map((recorded) => recorded.deduplicated)).toEqual([
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
  });

  it('counts the event again once the window has passed, and forgets everything on reset', () => {
    const recorder = createRecorder();
    send(recorder, 'tiktok', { event_id: 'a' }, 0);
    send(recorder, 'tiktok', { event_id: 'a' }, 48 * HOUR);
    recorder.reset();
    send(recorder, 'tiktok', { event_id: 'a' }, 48 * HOUR + 1);
    expect(recorder.events().map((recorded) => recorded.deduplicated)).toEqual([false]);
    send(recorder, 'tiktok', { event_id: 'b' }, 0);
    send(recorder, 'tiktok', { event_id: 'b' }, 48 * HOUR);
    expect(recorder.events().map((recorded) => recorded.deduplicated)).toEqual([false, false, false]);
  });
});
