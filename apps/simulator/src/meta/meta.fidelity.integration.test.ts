// Response shapes of the simulated Meta against providers.md §1: token and debug_token payloads, ad account
// nodes with cursor paging, Insights rows with numbers as strings, the error envelope, the usage headers,
// AdReportRun nodes and the Conversions API answer.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_PIXELS } from '../seed/accounts.ts';
import { META_APP } from '../seed/apps.ts';
import type { RunningSimulator } from '../simulator.ts';
import { graph, type Json, longLivedToken, post, shortLivedToken, startMeta } from './meta.test-support.ts';

let sim: RunningSimulator;
let token = '';

beforeAll(async () => {
  sim = await startMeta({ meta: { asyncRunMilliseconds: 0 } });
  token = await longLivedToken(sim.url);
});
afterAll(() => sim.close());

describe('Meta fidelity (providers.md §1)', () => {
  it('§1.1 long-lived token response: access_token, token_type bearer, expires_in ≈ 60 days', async () => {
    const short = await shortLivedToken(sim.url);
    const params = new URLSearchParams({
      grant_type: 'fb_exchange_token',
      client_id: META_APP.appId,
      client_secret: META_APP.appSecret,
      fb_exchange_token: short,
    });
    const body = (await (await fetch(`${sim.url}/meta/graph/v25.0/oauth/access_token?${params}`)).json()) as Json;
    expect(body).toEqual({ access_token: expect.stringMatching(/^EAA/), token_type: 'bearer', expires_in: 5_184_000 });
  });

  it('§1.1 debug_token data fields', async () => {
    const response = await graph(
      sim.url,
      `v25.0/debug_token?input_token=${token}`,
      `${META_APP.appId}|${META_APP.appSecret}`,
    );
    const { data } = (await response.json()) as Json;
    expect(Object.keys(data).sort()).toEqual(
      [
        'app_id',
        'application',
        'data_access_expires_at',
        'expires_at',
        'granular_scopes',
        'is_valid',
        'issued_at',
        'scopes',
        'type',
        'user_id',
      ].sort(),
    );
    for (const field of ['data_access_expires_at', 'expires_at', 'issued_at'])
      expect(Number.isInteger(data[field])).toBe(true);
    expect(data.granular_scopes[0]).toEqual({ scope: 'ads_read', target_ids: expect.arrayContaining(['1000000001']) });
  });

  it('§1.2 error envelope: message, type, code, error_subcode, fbtrace_id with HTTP 400', async () => {
    const expiring = await shortLivedToken(sim.url);
    await fetch(`${sim.url}/_control/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'meta', token: expiring }),
    });
    const response = await graph(sim.url, 'v25.0/me', expiring);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as Json;
    expect(Object.keys(error).sort()).toEqual(['code', 'error_subcode', 'fbtrace_id', 'message', 'type']);
    expect(error).toMatchObject({ type: 'OAuthException', code: 190, error_subcode: 463 });
    expect(error.fbtrace_id).toMatch(/^[A-Za-z0-9_-]{11,}$/);
  });

  it('§1.3 /me/adaccounts: data items and paging.cursors / paging.next', async () => {
    const response = await graph(
      sim.url,
      'v25.0/me/adaccounts?fields=account_id,id,name,currency,timezone_name,account_status,timezone_offset_hours_utc&limit=1',
      token,
    );
    const body = (await response.json()) as Json;
    expect(body.data[0]).toEqual({
      account_id: '1000000001',
      id: 'act_1000000001',
      name: 'Acme US',
      currency: 'USD',
      timezone_name: 'America/Los_Angeles',
      account_status: 1,
      timezone_offset_hours_utc: expect.any(Number),
    });
    expect(Object.keys(body.paging.cursors).sort()).toEqual(['after', 'before']);
    expect(new URL(body.paging.next).searchParams.get('after')).toBe(body.paging.cursors.after);
  });

  it('§1.4 Insights rows: numbers as strings, date_start/date_stop, region names, hourly labels', async () => {
    const regional = (await (
      await graph(
        sim.url,
        'v25.0/act_1000000001/insights?fields=account_id,spend,impressions,clicks,cpc,cpm,ctr&date_preset=yesterday&breakdowns=region',
        token,
      )
    ).json()) as Json;
    const row = regional.data[0];
    expect(Object.keys(row).sort()).toEqual(
      ['account_id', 'clicks', 'cpc', 'cpm', 'ctr', 'date_start', 'date_stop', 'impressions', 'region', 'spend'].sort(),
    );
    for (const value of Object.values(row)) expect(typeof value).toBe('string');
    expect(row.spend).toMatch(/^\d+\.\d{2}$/);
    expect(['California', 'Texas', 'New York']).toContain(row.region);
    const country = (await (
      await graph(sim.url, 'v25.0/act_1000000002/insights?fields=spend&date_preset=yesterday&breakdowns=country', token)
    ).json()) as Json;
    expect(country.data.map((item: Json) => item.country)).toEqual(['NZ']);
    const hourly = (await (
      await graph(
        sim.url,
        'v25.0/act_1000000001/insights?fields=spend&date_preset=yesterday&breakdowns=hourly_stats_aggregated_by_advertiser_time_zone',
        token,
      )
    ).json()) as Json;
    expect(hourly.data[0].hourly_stats_aggregated_by_advertiser_time_zone).toBe('00:00:00 - 00:59:59');
  });

  it('§1.4 async: report_run_id, then an AdReportRun node with the documented fields', async () => {
    const started = (await (
      await post(sim.url, 'act_1000000001/insights', token, { date_preset: 'last_3d' })
    ).json()) as Json;
    expect(started).toEqual({ report_run_id: expect.stringMatching(/^\d+$/) });
    const run = (await (await graph(sim.url, `v25.0/${started.report_run_id}`, token)).json()) as Json;
    expect(Object.keys(run).sort()).toEqual(
      [
        'account_id',
        'async_percent_completion',
        'async_status',
        'date_start',
        'date_stop',
        'id',
        'is_running',
        'time_completed',
        'time_ref',
      ].sort(),
    );
    expect(run).toMatchObject({
      id: started.report_run_id,
      async_status: 'Job Completed',
      async_percent_completion: 100,
      account_id: '1000000001',
    });
  });

  it('§1.5 usage headers are JSON with the documented fields', async () => {
    const response = await graph(sim.url, 'v25.0/act_1000000001/insights?date_preset=yesterday', token);
    expect(Object.keys(JSON.parse(response.headers.get('x-app-usage') ?? '')).sort()).toEqual([
      'call_count',
      'total_cputime',
      'total_time',
    ]);
    const buc = JSON.parse(response.headers.get('x-business-use-case-usage') ?? '') as Json;
    expect(Object.keys(buc['1000000001'][0]).sort()).toEqual(
      [
        'ads_api_access_tier',
        'call_count',
        'estimated_time_to_regain_access',
        'total_cputime',
        'total_time',
        'type',
      ].sort(),
    );
    expect(Object.keys(JSON.parse(response.headers.get('x-ad-account-usage') ?? '')).sort()).toEqual(
      ['acc_id_util_pct', 'ads_api_access_tier', 'reset_time_duration'].sort(),
    );
  });

  it('§1.6 Conversions API answer: events_received, messages, fbtrace_id', async () => {
    const response = await post(sim.url, `${META_PIXELS[0].id}/events`, token, {
      data: [
        {
          event_name: 'Lead',
          event_time: Math.floor(Date.now() / 1000),
          action_source: 'system_generated',
          user_data: { external_id: 'crm-1' },
        },
      ],
    });
    const body = (await response.json()) as Json;
    expect(Object.keys(body).sort()).toEqual(['events_received', 'fbtrace_id', 'messages']);
    expect(body).toMatchObject({ events_received: 1, messages: [] });
  });
});
