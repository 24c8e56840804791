// Klaviyo's filter syntax and the deterministic seed, without I/O.

import { describe, expect, it } from 'vitest';
import { matches, parseFilter } from './klaviyo.filter.ts';
import { KlaviyoApiError } from './klaviyo.json-api.ts';
import { profileIdFor, SEED_LISTS, SEED_SEGMENTS, shortIdFor } from './klaviyo.seed.ts';

const SPEC = { name: ['equals', 'any'], joined_group_at: ['greater-than', 'less-than'] } as const;

describe('parseFilter', () => {
  it('parses equals, any and datetime comparisons joined by and()', () => {
    const conditions = parseFilter(
      'and(any(name,["VIP","Newsletter"]),greater-than(joined_group_at,2026-01-01T00:00:00Z))',
      SPEC,
    );
    expect(conditions).toEqual([
      { operator: 'any', field: 'name', value: ['VIP', 'Newsletter'] },
      { operator: 'greater-than', field: 'joined_group_at', value: '2026-01-01T00:00:00Z' },
    ]);
    const joined = Date.parse('2026-02-01T00:00:00Z');
    expect(matches(conditions, { name: 'VIP', joined_group_at: joined })).toBe(true);
    expect(matches(conditions, { name: 'Other', joined_group_at: joined })).toBe(false);
  });

  it('rejects unknown fields, wrong operators and unquoted strings with a filter parameter error', () => {
    for (const filter of ['equals(email,"a@x.com")', 'greater-than(name,"x")', 'equals(name,VIP)']) {
      let error: unknown;
      try {
        parseFilter(filter, SPEC);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(KlaviyoApiError);
      expect((error as KlaviyoApiError).source).toEqual({ parameter: 'filter' });
    }
  });
});

describe('seed', () => {
  it('derives the same ids on every run, in Klaviyo shapes', () => {
    expect(profileIdFor('1')).toBe(profileIdFor('1'));
    expect(profileIdFor('1')).toMatch(/^01H[0-9A-HJKMNP-TV-Z]{23}$/);
    expect(shortIdFor('list:Newsletter')).toMatch(/^[A-Za-z0-9]{6}$/);
    const ids = [...SEED_LISTS, ...SEED_SEGMENTS].map((group) => group.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(SEED_SEGMENTS[0]?.members).toHaveLength(10_000);
  });
});
