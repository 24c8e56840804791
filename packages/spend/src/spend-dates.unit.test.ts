import { describe, expect, it } from 'vitest';
import { addDays, backfillRanges, hourlySyncRange, localClock, restatementRange } from './spend-dates.ts';

const at = (iso: string) => Date.parse(iso);

describe('localClock', () => {
  it('reads the date and hour on the account clock, far east and far west of UTC', () => {
    expect(localClock(at('2026-11-21T11:30:00Z'), 'Pacific/Tongatapu')).toEqual({ date: '2026-11-22', hour: 0 });
    expect(localClock(at('2026-11-21T10:30:00Z'), 'Pacific/Pago_Pago')).toEqual({ date: '2026-11-20', hour: 23 });
    expect(localClock(at('2026-11-21T10:30:00Z'), 'UTC')).toEqual({ date: '2026-11-21', hour: 10 });
  });

  it('follows daylight saving: the same UTC hour is a different local hour after the change', () => {
    expect(localClock(at('2026-10-31T12:00:00Z'), 'America/Los_Angeles').hour).toBe(5);
    expect(localClock(at('2026-11-02T12:00:00Z'), 'America/Los_Angeles').hour).toBe(4);
  });
});

describe('ranges', () => {
  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('includes yesterday only in the first hours after local midnight', () => {
    expect(hourlySyncRange(at('2026-11-21T01:00:00Z'), 'UTC', 4)).toEqual({ from: '2026-11-20', to: '2026-11-21' });
    expect(hourlySyncRange(at('2026-11-21T04:00:00Z'), 'UTC', 4)).toEqual({ from: '2026-11-21', to: '2026-11-21' });
    // 13:30 UTC is 02:30 the next day in Tonga.
    expect(hourlySyncRange(at('2026-11-21T13:30:00Z'), 'Pacific/Tongatapu', 4)).toEqual({
      from: '2026-11-21',
      to: '2026-11-22',
    });
  });

  it('restates the lookback days before today, not today', () => {
    expect(restatementRange('2026-11-21', 3)).toEqual({ from: '2026-11-18', to: '2026-11-20' });
  });

  it('splits a backfill into chunks, most recent first, covering every day once', () => {
    const ranges = backfillRanges('2026-11-21', 30, 7);
    expect(ranges[0]).toEqual({ from: '2026-11-15', to: '2026-11-21' });
    expect(ranges.at(-1)).toEqual({ from: '2026-10-23', to: '2026-10-24' });
    expect(ranges).toHaveLength(5);
    const days = ranges.flatMap((range) => {
      const covered: string[] = [];
      for (let day = range.from; day <= range.to; day = addDays(day, 1)) covered.push(day);
      return covered;
    });
    expect(new Set(days).size).toBe(30);
  });
});
