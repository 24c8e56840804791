// The report builder without HTTP: DST days, unstarted hours, span limits and parameter validation.

import { describe, expect, it } from 'vitest';
import { TIKTOK_ADVERTISERS } from '../seed/accounts.ts';
import { minorToDecimal } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import { TikTokError } from './tiktok.envelope.ts';
import { integratedReport, type ReportQuery } from './tiktok.report.ts';

const US = TIKTOK_ADVERTISERS[0];
if (US === undefined) throw new Error('the seed has no TikTok advertiser');
/** Long after every date used below, so each of their hours has happened. */
const LATER = Date.parse('2026-06-01T00:00:00Z');

function basic(overrides: Partial<ReportQuery>): ReportQuery {
  return {
    reportType: 'BASIC',
    dataLevel: 'AUCTION_ADVERTISER',
    serviceType: undefined,
    dimensions: ['stat_time_day'],
    metrics: ['spend'],
    startDate: '2026-03-01',
    endDate: '2026-03-01',
    page: 1,
    pageSize: 1000,
    enableTotalMetrics: false,
    ...overrides,
  };
}

function codeOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TikTokError) return error.code;
    throw error;
  }
  return undefined;
}

describe('integratedReport', () => {
  it('has 23 hourly rows on the day Los Angeles springs forward, summing to the truth', () => {
    const day = '2026-03-08';
    const data = integratedReport(
      US,
      basic({ dimensions: ['stat_time_hour'], startDate: day, endDate: day, enableTotalMetrics: true }),
      LATER,
    );
    const rows = data.list as { dimensions: Record<string, string> }[];
    expect(rows).toHaveLength(23);
    expect(rows.some((row) => row.dimensions.stat_time_hour === `${day} 02:00:00`)).toBe(false);
    const total = sumCells(spendCells('tiktok', US, [day], LATER), () => 'all').get('all');
    expect(data.total_metrics).toEqual({ spend: minorToDecimal(total?.spendMinor ?? -1, 'USD') });
  });

  it('reports nothing for hours that have not started yet', () => {
    const now = Date.parse('2026-03-02T20:30:00Z'); // 12:30 in Los Angeles
    const data = integratedReport(
      US,
      basic({ dimensions: ['stat_time_hour'], startDate: '2026-03-02', endDate: '2026-03-02' }),
      now,
    );
    expect((data.list as unknown[]).length).toBe(13);
  });

  it('allows 30 days of daily rows and 1 day of hourly rows, and no more (40002)', () => {
    expect(
      codeOf(() => integratedReport(US, basic({ startDate: '2026-03-01', endDate: '2026-03-30' }), LATER)),
    ).toBeUndefined();
    expect(codeOf(() => integratedReport(US, basic({ startDate: '2026-03-01', endDate: '2026-03-31' }), LATER))).toBe(
      40002,
    );
    expect(
      codeOf(() =>
        integratedReport(
          US,
          basic({ dimensions: ['stat_time_hour'], startDate: '2026-03-01', endDate: '2026-03-02' }),
          LATER,
        ),
      ),
    ).toBe(40002);
    expect(codeOf(() => integratedReport(US, basic({ startDate: '2026-03-02', endDate: '2026-03-01' }), LATER))).toBe(
      40002,
    );
    expect(codeOf(() => integratedReport(US, basic({ startDate: '2026/03/01' }), LATER))).toBe(40002);
  });

  it('rejects unsupported report types, data levels, dimensions, metrics and page sizes', () => {
    expect(codeOf(() => integratedReport(US, basic({ reportType: 'CATALOG' }), LATER))).toBe(40002);
    expect(codeOf(() => integratedReport(US, basic({ dataLevel: 'AUCTION_AD' }), LATER))).toBe(40002);
    expect(codeOf(() => integratedReport(US, basic({ dimensions: ['stat_time_day', 'stat_time_hour'] }), LATER))).toBe(
      40002,
    );
    expect(
      codeOf(() => integratedReport(US, basic({ reportType: 'AUDIENCE', dimensions: ['stat_time_day'] }), LATER)),
    ).toBe(40002);
    expect(codeOf(() => integratedReport(US, basic({ metrics: ['reach'] }), LATER))).toBe(40002);
    expect(codeOf(() => integratedReport(US, basic({ pageSize: 1001 }), LATER))).toBe(40002);
  });
});
