import { describe, expect, it } from 'vitest';
import { META_ACCOUNTS } from '../seed/accounts.ts';
import {
  datesBetween,
  hasStarted,
  localDateHour,
  localHoursOf,
  minorToDecimal,
  minorToMicros,
  spendCell,
  unitInterval,
} from './spend-model.ts';
import { spendCells, sumCells } from './spend-truth.ts';

describe('spend model', () => {
  it('is a pure function of its inputs', () => {
    const input = {
      platform: 'meta',
      accountId: 'act_1',
      date: '2026-03-08',
      hour: 19,
      regionCode: 'US-CA',
      scale: 2000,
    };
    expect(spendCell(input)).toEqual(spendCell({ ...input }));
    expect(spendCell(input)).not.toEqual(spendCell({ ...input, hour: 3 }));
    expect(spendCell(input).spendMinor).toBeGreaterThan(0);
  });

  it('spreads its seeds evenly over [0, 1)', () => {
    const values = Array.from({ length: 10_000 }, (_, index) =>
      unitInterval(`act_1|2026-01-01|${index % 24}|US-${index}`),
    );
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const deciles = new Array(10).fill(0);
    for (const value of values) deciles[Math.floor(value * 10)] += 1;
    for (const count of deciles) expect(count).toBeGreaterThan(900);
  });

  it('formats minor units exactly, for two- and zero-decimal currencies', () => {
    expect(minorToDecimal(1234, 'USD')).toBe('12.34');
    expect(minorToDecimal(5, 'USD')).toBe('0.05');
    expect(minorToDecimal(500, 'JPY')).toBe('500');
    expect(minorToMicros(1234, 'USD')).toBe(12_340_000n);
    expect(minorToMicros(500, 'JPY')).toBe(500_000_000n);
  });

  it('knows the hours of a day in the account time zone, including DST changes', () => {
    expect(localHoursOf('2026-03-08', 'America/New_York')).toHaveLength(23);
    expect(localHoursOf('2026-03-08', 'America/New_York')).not.toContain(2);
    expect(localHoursOf('2026-11-01', 'America/New_York')).toHaveLength(24);
    expect(localHoursOf('2026-06-01', 'Pacific/Tongatapu')).toHaveLength(24);
    expect(localHoursOf('2026-09-27', 'Pacific/Auckland')).toHaveLength(23);
  });

  it('places an instant on the right local day far east and far west of UTC', () => {
    const instant = Date.parse('2026-11-21T12:30:00Z');
    expect(localDateHour(instant, 'Pacific/Tongatapu')).toEqual({ date: '2026-11-22', hour: 1 });
    expect(localDateHour(instant, 'Pacific/Pago_Pago')).toEqual({ date: '2026-11-21', hour: 1 });
    expect(localDateHour(instant, 'UTC')).toEqual({ date: '2026-11-21', hour: 12 });
  });

  it('reports only hours that have started', () => {
    const now = Date.parse('2026-11-21T12:30:00Z');
    expect(hasStarted('2026-11-21', 12, now, 'UTC')).toBe(true);
    expect(hasStarted('2026-11-21', 13, now, 'UTC')).toBe(false);
    expect(hasStarted('2026-11-20', 23, now, 'UTC')).toBe(true);
    expect(hasStarted('2026-11-22', 0, now, 'UTC')).toBe(false);
    const account = META_ACCOUNTS[0];
    if (account === undefined) throw new Error('seed has no Meta account');
    const today = spendCells('meta', account, ['2026-11-21'], now);
    const localHour = localDateHour(now, account.timezone).hour;
    expect(new Set(today.map((cell) => cell.hour)).size).toBe(localHour + 1);
  });

  it('adds up the same whichever way the cells are grouped', () => {
    const account = META_ACCOUNTS[0];
    if (account === undefined) throw new Error('seed has no Meta account');
    const cells = spendCells('meta', account, datesBetween('2026-11-01', '2026-11-07'), Date.parse('2026-12-01'));
    const total = cells.reduce((sum, cell) => sum + cell.spendMinor, 0);
    const byDay = [...sumCells(cells, (cell) => cell.date).values()].reduce((sum, cell) => sum + cell.spendMinor, 0);
    const byRegion = [...sumCells(cells, (cell) => cell.regionCode).values()].reduce((s, c) => s + c.spendMinor, 0);
    expect(byDay).toBe(total);
    expect(byRegion).toBe(total);
    expect(cells).toHaveLength(7 * 24 * account.regions.length);
  });
});
