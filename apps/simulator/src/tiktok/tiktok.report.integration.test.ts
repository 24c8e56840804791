// Integrated reports over real HTTP agree with the spend truth at /_control/spend, by day, hour and province.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../simulator.ts';
import { regionByCode } from '../spend/regions.ts';
import { localDateHour, minorToDecimal } from '../spend/spend-model.ts';
import type { SpendTruthCell } from '../spend/spend-truth.ts';
import { api, connect, getJson, query, startTikTok } from './tiktok.fixture.ts';

const US = '7000000000000000001';
const SAMOA = '7000000000000000004';

interface ReportRow {
  dimensions: Record<string, string>;
  metrics: Record<string, string>;
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

describe('TikTok integrated report', () => {
  let simulator: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    simulator = await startTikTok();
    token = (await connect(simulator, undefined, [US, SAMOA])).access_token;
  });
  afterAll(() => simulator.close());

  const truth = async (advertiser: string, from: string, to: string) => {
    const response = await fetch(
      `${simulator.url}/_control/spend?${query({ platform: 'tiktok', account: advertiser, from, to })}`,
    );
    return ((await response.json()) as { cells: SpendTruthCell[] }).cells;
  };

  const report = (params: Record<string, string | number | readonly string[]>) =>
    getJson(
      `${api(simulator)}/report/integrated/get/?${query({ report_type: 'BASIC', data_level: 'AUCTION_ADVERTISER', ...params })}`,
      token,
    );

  it('reports daily spend equal to the spend truth, per local date', async () => {
    const today = localDateHour(simulator.context.clock.now(), 'America/Los_Angeles').date;
    const from = shiftDate(today, -9);
    const response = await report({
      advertiser_id: US,
      dimensions: ['advertiser_id', 'stat_time_day'],
      metrics: ['spend', 'impressions', 'clicks', 'currency'],
      start_date: from,
      end_date: today,
      page_size: 1000,
    });
    expect(response.body.code).toBe(0);
    const rows = response.body.data.list as ReportRow[];
    const cells = await truth(US, from, today);
    const expected = [...new Set(cells.map((cell) => cell.date))].map((date) => {
      const day = cells.filter((cell) => cell.date === date);
      const sum = (pick: (cell: SpendTruthCell) => number) => day.reduce((total, cell) => total + pick(cell), 0);
      return {
        dimensions: { advertiser_id: US, stat_time_day: `${date} 00:00:00` },
        metrics: {
          spend: minorToDecimal(
            sum((cell) => cell.spendMinor),
            'USD',
          ),
          impressions: String(sum((cell) => cell.impressions)),
          clicks: String(sum((cell) => cell.clicks)),
          currency: 'USD',
        },
      };
    });
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(10);
    expect(response.body.data.page_info).toEqual({ page: 1, page_size: 1000, total_number: 10, total_page: 1 });
  });

  it('reports hourly rows for one day, labelled in the advertiser time zone', async () => {
    const today = localDateHour(simulator.context.clock.now(), 'Pacific/Pago_Pago').date;
    const day = shiftDate(today, -2);
    const response = await report({
      advertiser_id: SAMOA,
      dimensions: ['advertiser_id', 'stat_time_hour'],
      metrics: ['spend'],
      start_date: day,
      end_date: day,
      page_size: 100,
    });
    const rows = response.body.data.list as ReportRow[];
    const cells = await truth(SAMOA, day, day);
    expect(rows).toHaveLength(24);
    expect(rows.map((row) => row.dimensions.stat_time_hour)).toEqual(
      cells.map((cell) => `${day} ${String(cell.hour).padStart(2, '0')}:00:00`),
    );
    expect(rows.map((row) => row.metrics.spend)).toEqual(cells.map((cell) => minorToDecimal(cell.spendMinor, 'USD')));
  });

  it('splits spend by province in an AUDIENCE report', async () => {
    const today = localDateHour(simulator.context.clock.now(), 'America/Los_Angeles').date;
    const from = shiftDate(today, -5);
    const to = shiftDate(today, -1);
    const response = await getJson(
      `${api(simulator)}/report/integrated/get/?${query({
        advertiser_id: US,
        report_type: 'AUDIENCE',
        data_level: 'AUCTION_ADVERTISER',
        dimensions: ['advertiser_id', 'province_id'],
        metrics: ['spend'],
        start_date: from,
        end_date: to,
      })}`,
      token,
    );
    const cells = await truth(US, from, to);
    const byProvince = (code: string) =>
      minorToDecimal(
        cells.filter((cell) => cell.regionCode === code).reduce((total, cell) => total + cell.spendMinor, 0),
        'USD',
      );
    const rows = response.body.data.list as ReportRow[];
    expect(rows).toHaveLength(2);
    for (const code of ['US-CA', 'US-TX']) {
      const province = regionByCode(code).tiktokProvinceId;
      expect(rows.find((row) => row.dimensions.province_id === province)?.metrics.spend).toBe(byProvince(code));
    }
  });

  it('pages through rows with page and page_size', async () => {
    const today = localDateHour(simulator.context.clock.now(), 'America/Los_Angeles').date;
    const params = {
      advertiser_id: US,
      dimensions: ['stat_time_day'],
      metrics: ['spend'],
      start_date: shiftDate(today, -20),
      end_date: shiftDate(today, -1),
      page_size: 7,
    };
    const pages = await Promise.all([1, 2, 3].map((page) => report({ ...params, page })));
    expect(pages.map((page) => page.body.data.page_info)).toEqual([
      { page: 1, page_size: 7, total_number: 20, total_page: 3 },
      { page: 2, page_size: 7, total_number: 20, total_page: 3 },
      { page: 3, page_size: 7, total_number: 20, total_page: 3 },
    ]);
    const days = pages.flatMap((page) =>
      (page.body.data.list as ReportRow[]).map((row) => row.dimensions.stat_time_day),
    );
    expect(days).toHaveLength(20);
    expect(days[0]).toBe(`${shiftDate(today, -20)} 00:00:00`);
    expect(days[19]).toBe(`${shiftDate(today, -1)} 00:00:00`);
  });

  it('rejects spans beyond the limits and bad dimensions with 40002', async () => {
    const base = { advertiser_id: US, metrics: ['spend'] };
    const hourly = await report({
      ...base,
      dimensions: ['stat_time_hour'],
      start_date: '2026-01-01',
      end_date: '2026-01-02',
    });
    expect(hourly.body.code).toBe(40002);
    expect(hourly.body.message).toContain('time span');
    const daily = await report({
      ...base,
      dimensions: ['stat_time_day'],
      start_date: '2026-01-01',
      end_date: '2026-01-31',
    });
    expect(daily.body.code).toBe(40002);
    const dims = await report({
      ...base,
      dimensions: ['province_id'],
      start_date: '2026-01-01',
      end_date: '2026-01-01',
    });
    expect(dims.body.code).toBe(40002);
    expect(dims.body.message).toContain('dimensions');
    const notJson = await getJson(
      `${api(simulator)}/report/integrated/get/?advertiser_id=${US}&report_type=BASIC&data_level=AUCTION_ADVERTISER&dimensions=stat_time_day&metrics=["spend"]&start_date=2026-01-01&end_date=2026-01-01`,
      token,
    );
    expect(notJson.body.code).toBe(40002);
  });

  it('refuses an advertiser the token was not authorized for with 40001', async () => {
    const response = await report({
      advertiser_id: '7000000000000000002',
      dimensions: ['stat_time_day'],
      metrics: ['spend'],
      start_date: '2026-01-01',
      end_date: '2026-01-01',
    });
    expect(response.body.code).toBe(40001);
  });
});
