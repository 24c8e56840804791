// Event batch validation without HTTP: hashing rules and the `data[i]...` paths in error messages.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TikTokError } from './tiktok.envelope.ts';
import { parseEventBatch } from './tiktok.events.ts';

const hash = createHash('sha256').update('dana@example.com').digest('hex');

function failure(body: unknown): { code: number; message: string } | undefined {
  try {
    parseEventBatch(body);
  } catch (error) {
    if (error instanceof TikTokError) return { code: error.code, message: error.message };
    throw error;
  }
  return undefined;
}

const batch = (data: unknown[], extra: Record<string, unknown> = {}) => ({
  event_source: 'web',
  event_source_id: 'C8SIMPIXEL0000000001',
  data,
  ...extra,
});

describe('parseEventBatch', () => {
  it('accepts hashed identifiers, single or listed, and raw click ids', () => {
    const parsed = parseEventBatch(
      batch(
        [{ event: 'Search', event_time: 1_769_900_000, user: { email: [hash, hash], ttp: 'abc', ip: '203.0.113.5' } }],
        {
          test_event_code: 'TEST1',
        },
      ),
    );
    expect(parsed.testEventCode).toBe('TEST1');
    expect(parsed.events).toHaveLength(1);
  });

  it('points at the offending element of a listed identifier', () => {
    const result = failure(batch([{ event: 'Search', event_time: 1, user: { phone: [hash, '+14155550100'] } }]));
    expect(result?.code).toBe(40062);
    expect(result?.message).toContain('data[0].user.phone[1]');
  });

  it('rejects an unknown event source, a string event_time and a non-numeric value with 40002', () => {
    expect(failure({ ...batch([]), event_source: 'email' })?.code).toBe(40002);
    expect(failure(batch([{ event: 'Search', event_time: '1769900000' }]))?.message).toContain('data[0].event_time');
    const value = failure(batch([{ event: 'Purchase', event_time: 1, properties: { value: '9.99' } }]));
    expect(value).toEqual({ code: 40002, message: 'data[0].properties.value: Not a valid number.' });
  });
});
