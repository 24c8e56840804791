import { describe, expect, it } from 'vitest';
import type { SimulatedAccount } from '../seed/accounts.ts';
import { insightsRows, parseInsightsQuery } from './meta.insights.ts';

const ACCOUNT: SimulatedAccount = {
  id: 'act_42',
  name: 'Unit',
  currency: 'USD',
  timezone: 'Pacific/Auckland',
  regions: ['NZ-AUK'],
  scale: 1_000,
};
/** 2026-03-04 10:00 in Auckland (UTC+13): still 2026-03-03 in UTC. */
const NOW = Date.parse('2026-03-03T21:00:00Z');

const range = (params: Record<string, unknown>) => {
  const query = parseInsightsQuery(params, ACCOUNT, NOW);
  return [query.since, query.until];
};

describe('date presets, in the account time zone', () => {
  it.each([
    ['today', '2026-03-04', '2026-03-04'],
    ['yesterday', '2026-03-03', '2026-03-03'],
    ['last_3d', '2026-03-01', '2026-03-03'],
    ['last_7d', '2026-02-25', '2026-03-03'],
    ['this_month', '2026-03-01', '2026-03-04'],
    ['last_month', '2026-02-01', '2026-02-28'],
    ['this_quarter', '2026-01-01', '2026-03-04'],
    ['last_quarter', '2025-10-01', '2025-12-31'],
    ['this_year', '2026-01-01', '2026-03-04'],
    ['last_year', '2025-01-01', '2025-12-31'],
    // 2026-03-04 is a Wednesday.
    ['this_week_mon_today', '2026-03-02', '2026-03-04'],
    ['this_week_sun_today', '2026-03-01', '2026-03-04'],
    ['last_week_mon_sun', '2026-02-23', '2026-03-01'],
    ['last_week_sun_sat', '2026-02-22', '2026-02-28'],
    ['maximum', '2023-02-01', '2026-03-04'],
  ])('%s → %s … %s', (preset, since, until) => {
    expect(range({ date_preset: preset })).toEqual([since, until]);
  });

  it('defaults to last_30d; time_range wins over date_preset', () => {
    expect(range({})).toEqual(['2026-02-02', '2026-03-03']);
    expect(range({ date_preset: 'today', time_range: { since: '2026-02-10', until: '2026-02-11' } })).toEqual([
      '2026-02-10',
      '2026-02-11',
    ]);
  });
});

describe('rows', () => {
  it('time_increment chunks the range and clips the last chunk; monthly clips to the range', () => {
    const chunked = insightsRows(
      ACCOUNT,
      parseInsightsQuery(
        { time_range: '{"since":"2026-02-01","until":"2026-02-10"}', time_increment: '4' },
        ACCOUNT,
        NOW,
      ),
      NOW,
    );
    expect(chunked.map((row) => [row.date_start, row.date_stop])).toEqual([
      ['2026-02-01', '2026-02-04'],
      ['2026-02-05', '2026-02-08'],
      ['2026-02-09', '2026-02-10'],
    ]);
    const monthly = insightsRows(
      ACCOUNT,
      parseInsightsQuery(
        { time_range: '{"since":"2026-01-20","until":"2026-03-10"}', time_increment: 'monthly' },
        ACCOUNT,
        NOW,
      ),
      NOW,
    );
    // Nothing after today (03-04 local) exists yet, but the period is still labelled by the request's range.
    expect(monthly.map((row) => [row.date_start, row.date_stop])).toEqual([
      ['2026-01-20', '2026-01-31'],
      ['2026-02-01', '2026-02-28'],
      ['2026-03-01', '2026-03-10'],
    ]);
  });

  it('daily rows add up to the all_days row exactly', () => {
    const params = { fields: 'spend,impressions', time_range: '{"since":"2026-02-01","until":"2026-02-28"}' };
    const [total] = insightsRows(ACCOUNT, parseInsightsQuery(params, ACCOUNT, NOW), NOW);
    const daily = insightsRows(ACCOUNT, parseInsightsQuery({ ...params, time_increment: 1 }, ACCOUNT, NOW), NOW);
    const cents = daily.reduce((sum, row) => sum + Math.round(Number(row.spend) * 100), 0);
    expect(total?.spend).toBe((cents / 100).toFixed(2));
    expect(Number(total?.impressions)).toBe(daily.reduce((sum, row) => sum + Number(row.impressions), 0));
  });
});
