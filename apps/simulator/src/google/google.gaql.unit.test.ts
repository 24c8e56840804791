// GAQL parsing: date filters resolved in the account's time zone, BETWEEN combined with AND, and the
// QueryErrorEnum values bad queries produce.

import { describe, expect, it } from 'vitest';
import { GaqlError, parseGaql } from './google.gaql.ts';

// 2026-11-21 03:00 UTC: still the 20th in New York, already the 21st in Tokyo.
const NOW = Date.parse('2026-11-21T03:00:00Z');

function errorCode(query: string): string | undefined {
  try {
    parseGaql(query, NOW, 'UTC');
  } catch (error) {
    if (error instanceof GaqlError) return error.code;
  }
  return undefined;
}

describe('parseGaql', () => {
  it('resolves DURING constants in the account time zone, excluding today from LAST_N_DAYS', () => {
    const query = 'SELECT segments.date, metrics.cost_micros FROM customer WHERE segments.date DURING TODAY';
    expect(parseGaql(query, NOW, 'America/New_York').dates).toEqual(['2026-11-20']);
    expect(parseGaql(query, NOW, 'Asia/Tokyo').dates).toEqual(['2026-11-21']);
    const week = parseGaql(query.replace('TODAY', 'LAST_7_DAYS'), NOW, 'Asia/Tokyo').dates;
    expect(week).toHaveLength(7);
    expect(week?.[0]).toBe('2026-11-14');
    expect(week?.[6]).toBe('2026-11-20');
  });

  it('splits BETWEEN … AND … from a following hour condition', () => {
    const parsed = parseGaql(
      "SELECT segments.hour, metrics.clicks FROM customer WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-03' AND segments.hour = 7",
      NOW,
      'UTC',
    );
    expect(parsed.dates).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(parsed.hour).toBe(7);
    expect(parsed.fields).toEqual(['segments.hour', 'metrics.clicks']);
  });

  it('names the QueryError of bad queries', () => {
    expect(errorCode('SELECT metrics.bogus FROM customer')).toBe('UNRECOGNIZED_FIELD');
    expect(errorCode('SELECT metrics.cost_micros FROM customer_client')).toBe('UNRECOGNIZED_FIELD');
    expect(errorCode('SELECT segments.date FROM customer')).toBe('FILTER_HAS_TOO_MANY_VALUES');
    expect(errorCode('SELECT customer.id FROM nowhere')).toBe('INVALID_RESOURCE_NAME');
    expect(errorCode('DELETE everything')).toBe('UNEXPECTED_END_OF_QUERY');
  });
});
