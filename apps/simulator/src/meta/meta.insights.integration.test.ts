// Ad accounts and Insights against the spend truth: the shared accounts with cursor paging, sync rows by
// day, region and hour in each account's time zone, and async report runs over time (complete, fail, stall).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { META_ACCOUNTS, type SimulatedAccount } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { regionByCode } from '../spend/regions.ts';
import { datesBetween, localDateHour, minorToDecimal } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import { graph, type Json, longLivedToken, post, startMeta } from './meta.test-support.ts';

// Long enough that real time passing between requests never moves a run; the tests move the clock.
const RUN_MS = 600_000;
let sim: RunningSimulator;
let token = '';

function account(id: string): SimulatedAccount {
  const found = META_ACCOUNTS.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no ${id}`);
  return found;
}

async function control(path: string, body: Record<string, unknown> = {}): Promise<Json> {
  const response = await fetch(`${sim.url}/_control/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** Every row of a report, following `paging.next` until it is absent. */
async function allRows(first: Response): Promise<Json[]> {
  let body = (await first.json()) as Json;
  if (first.status !== 200) throw new Error(JSON.stringify(body));
  const rows = [...body.data];
  while (body.paging?.next !== undefined) {
    body = (await (await fetch(body.paging.next)).json()) as Json;
    rows.push(...body.data);
  }
  return rows;
}

function insightsPath(id: string, params: Record<string, string>): string {
  return `v25.0/${id}/insights?${new URLSearchParams(params)}`;
}

beforeAll(async () => {
  sim = await startMeta({ meta: { asyncRunMilliseconds: RUN_MS } });
});
afterAll(() => sim.close());
beforeEach(async () => {
  await control('reset');
  token = await longLivedToken(sim.url);
});

describe('/me/adaccounts', () => {
  it('lists only the accounts the person shared, page by page', async () => {
    const shared = ['act_1000000001', 'act_1000000002', 'act_1000000004'];
    const limited = await longLivedToken(sim.url, { accounts: shared });
    const first = await graph(
      sim.url,
      'v25.0/me/adaccounts?fields=account_id,id,name,currency,timezone_name&limit=2',
      limited,
    );
    const body = (await first.clone().json()) as Json;
    expect(body.data).toHaveLength(2);
    expect(body.paging.next).toMatch(new RegExp(`^${sim.url}/meta/graph/v25.0/me/adaccounts\\?`));
    const rows = await allRows(first);
    expect(rows.map((row) => row.id)).toEqual(shared);
    expect(rows[1]).toEqual({
      account_id: '1000000002',
      id: 'act_1000000002',
      name: 'Acme New Zealand',
      currency: 'NZD',
      timezone_name: 'Pacific/Auckland',
    });
  });

  it('an account the person did not share does not exist for the token', async () => {
    const limited = await longLivedToken(sim.url, { accounts: ['act_1000000001'] });
    const response = await graph(sim.url, insightsPath('act_1000000002', { date_preset: 'yesterday' }), limited);
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('a token without an ads permission gets error 200', async () => {
    const profileOnly = await longLivedToken(sim.url, { scope: 'public_profile' });
    const response = await graph(sim.url, insightsPath('act_1000000001', { date_preset: 'yesterday' }), profileOnly);
    expect(((await response.json()) as Json).error).toMatchObject({ code: 200 });
  });
});

describe('sync Insights', () => {
  it('daily spend by region equals the truth, for accounts far east and far west of UTC', async () => {
    for (const id of ['act_1000000002', 'act_1000000004']) {
      const simulated = account(id);
      const rows = await allRows(
        await graph(
          sim.url,
          insightsPath(id, {
            fields: 'account_id,account_currency,spend,impressions,clicks',
            time_range: JSON.stringify({ since: '2026-11-01', until: '2026-11-07' }),
            time_increment: '1',
            breakdowns: 'region',
            limit: '5',
          }),
          token,
        ),
      );
      const cells = spendCells('meta', simulated, datesBetween('2026-11-01', '2026-11-07'), sim.context.clock.now());
      const truth = sumCells(cells, (cell) => `${cell.date}|${regionByCode(cell.regionCode).name}`);
      expect(rows).toHaveLength(truth.size);
      for (const row of rows) {
        expect(row.date_start).toBe(row.date_stop);
        const expected = truth.get(`${row.date_start}|${row.region}`);
        expect(expected).toBeDefined();
        expect(row).toMatchObject({
          account_id: id.slice(4),
          account_currency: simulated.currency,
          spend: minorToDecimal(expected?.spendMinor ?? -1, simulated.currency),
          impressions: String(expected?.impressions),
          clicks: String(expected?.clicks),
        });
      }
    }
  });

  it('hourly stats in the advertiser time zone, and `yesterday` resolved in that zone', async () => {
    const tonga = account('act_1000000003');
    const rows = await allRows(
      await graph(
        sim.url,
        insightsPath(tonga.id, {
          fields: 'spend',
          date_preset: 'yesterday',
          breakdowns: 'hourly_stats_aggregated_by_advertiser_time_zone',
          limit: '100',
        }),
        token,
      ),
    );
    const today = localDateHour(sim.context.clock.now(), tonga.timezone).date;
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const truth = sumCells(spendCells('meta', tonga, [yesterday], sim.context.clock.now()), (cell) =>
      String(cell.hour),
    );
    expect(rows).toHaveLength(24);
    rows.forEach((row, hour) => {
      const label = String(hour).padStart(2, '0');
      expect(row.hourly_stats_aggregated_by_advertiser_time_zone).toBe(`${label}:00:00 - ${label}:59:59`);
      expect(row.date_start).toBe(yesterday);
      expect(row.spend).toBe(minorToDecimal(truth.get(String(hour))?.spendMinor ?? -1, tonga.currency));
    });
  });

  it('all_days sums the whole range into one row; today never includes hours yet to come', async () => {
    const us = account('act_1000000001');
    const [row] = await allRows(
      await graph(sim.url, insightsPath(us.id, { fields: 'spend', date_preset: 'today' }), token),
    );
    const today = localDateHour(sim.context.clock.now(), us.timezone).date;
    const truth = sumCells(spendCells('meta', us, [today], sim.context.clock.now()), () => 'all').get('all');
    expect(row).toEqual({ spend: minorToDecimal(truth?.spendMinor ?? -1, 'USD'), date_start: today, date_stop: today });
  });

  it('rejects unknown fields, invalid breakdown combinations, bad ranges and ranges beyond 37 months', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ fields: 'spend,revenue' }, 100],
      [{ breakdowns: 'region,hourly_stats_aggregated_by_advertiser_time_zone' }, 100],
      [{ breakdowns: 'age' }, 100],
      [{ time_range: '{"since":"2026-11-05","until":"2026-11-01"}' }, 100],
      [{ time_range: 'not json' }, 100],
      [{ date_preset: 'lifetime' }, 100],
      [{ time_increment: '91' }, 100],
      [{ time_range: '{"since":"2023-01-01","until":"2023-01-02"}' }, 3018],
    ];
    for (const [params, code] of cases) {
      const response = await graph(sim.url, insightsPath('act_1000000001', params), token);
      expect(response.status, JSON.stringify(params)).toBe(400);
      const error = ((await response.json()) as Json).error;
      expect(error.code, JSON.stringify(params)).toBe(code);
      expect(error.type).toBe('OAuthException');
    }
  });
});

describe('async report runs', () => {
  const RANGE = JSON.stringify({ since: '2026-10-01', until: '2026-10-31' });

  async function startRun(): Promise<string> {
    const response = await post(sim.url, 'act_1000000001/insights', token, {
      fields: 'spend,impressions',
      time_range: RANGE,
      time_increment: 1,
      breakdowns: 'region',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(Object.keys(body)).toEqual(['report_run_id']);
    return body.report_run_id;
  }

  async function status(runId: string): Promise<Json> {
    return (await graph(sim.url, `v25.0/${runId}?fields=async_status,async_percent_completion`, token)).json();
  }

  it('progresses over time to Job Completed; its rows equal the sync report', async () => {
    const runId = await startRun();
    expect(await status(runId)).toEqual({ id: runId, async_status: 'Job Not Started', async_percent_completion: 0 });
    const early = await graph(sim.url, `v25.0/${runId}/insights`, token);
    expect(early.status).toBe(400);
    await control('clock/advance', { ms: RUN_MS / 2 });
    expect(await status(runId)).toMatchObject({ async_status: 'Job Running', async_percent_completion: 50 });
    await control('clock/advance', { ms: RUN_MS / 2 });
    expect(await status(runId)).toMatchObject({ async_status: 'Job Completed', async_percent_completion: 100 });

    const fromRun = await allRows(await graph(sim.url, `v25.0/${runId}/insights?limit=20`, token));
    expect(fromRun).toHaveLength(31 * 3);
    const sync = await allRows(
      await graph(
        sim.url,
        insightsPath('act_1000000001', {
          fields: 'spend,impressions',
          time_range: RANGE,
          time_increment: '1',
          breakdowns: 'region',
          limit: '500',
        }),
        token,
      ),
    );
    expect(fromRun).toEqual(sync);
  });

  it('a failing run ends in Job Failed with its error; a stalled one stops until released', async () => {
    await control('meta/fail-report-runs', { count: 1 });
    await control('meta/stall-report-runs', { count: 1 });
    const failing = await startRun();
    const stalling = await startRun();
    await control('clock/advance', { ms: RUN_MS * 3 });

    const failed = (await (await graph(sim.url, `v25.0/${failing}`, token)).json()) as Json;
    expect(failed).toMatchObject({
      async_status: 'Job Failed',
      is_running: false,
      error_code: -2,
      error_subcode: 2490547,
    });
    const failedRows = await graph(sim.url, `v25.0/${failing}/insights`, token);
    expect(((await failedRows.json()) as Json).error).toMatchObject({ code: -2, error_subcode: 2490547 });

    expect(await status(stalling)).toMatchObject({ async_status: 'Job Running', async_percent_completion: 37 });
    expect(await control('meta/release-report-runs')).toEqual({ result: { released: 1 } });
    await control('clock/advance', { ms: RUN_MS });
    expect(await status(stalling)).toMatchObject({ async_status: 'Job Completed', async_percent_completion: 100 });
  });

  it('the configured failure share applies to every run', async () => {
    const failingSim = await startMeta({ meta: { asyncFailureShare: 1, asyncRunMilliseconds: 0 } });
    try {
      const failingToken = await longLivedToken(failingSim.url);
      const response = await post(failingSim.url, 'act_1000000001/insights', failingToken, {
        date_preset: 'yesterday',
      });
      const runId = ((await response.json()) as Json).report_run_id;
      const run = (await (await graph(failingSim.url, `v25.0/${runId}`, failingToken)).json()) as Json;
      expect(run.async_status).toBe('Job Failed');
    } finally {
      await failingSim.close();
    }
  });

  it('a run id is not readable with a token that cannot see its account', async () => {
    const runId = await startRun();
    const other = await longLivedToken(sim.url, { accounts: ['act_1000000002'] });
    const response = await graph(sim.url, `v25.0/${runId}`, other);
    expect(((await response.json()) as Json).error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});
