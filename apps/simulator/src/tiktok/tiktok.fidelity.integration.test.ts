// No official TikTok Node SDK is installed, so fidelity is checked against providers.md §3 directly: the
// HTTP-200 envelope, field names and types, error codes, and 404 for paths without their trailing slash.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../simulator.ts';
import {
  api,
  connect,
  getJson,
  LONG_TERM_APP,
  postJson,
  query,
  ROTATING_APP,
  startTikTok,
  type TikTokBody,
} from './tiktok.fixture.ts';

const US = '7000000000000000001';
const UK = '7000000000000000002';
const REQUEST_ID = /^\d{14}[0-9A-F]{20}$/;

function expectEnvelope(body: TikTokBody, code: number): void {
  expect(Object.keys(body).sort()).toEqual(['code', 'data', 'message', 'request_id']);
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.request_id).toMatch(REQUEST_ID);
  expect(typeof body.data).toBe('object');
  if (code === 0) expect(body.message).toBe('OK');
  else expect(body.data).toEqual({});
}

describe('TikTok fidelity to providers.md §3', () => {
  let simulator: RunningSimulator;
  let rotating: Record<string, unknown> & { access_token: string };
  let longTerm: Record<string, unknown> & { access_token: string };

  beforeAll(async () => {
    simulator = await startTikTok();
    rotating = await connect(simulator, ROTATING_APP, [US, UK]);
    longTerm = await connect(simulator, LONG_TERM_APP, [US]);
  });
  afterAll(() => simulator.close());

  it('answers 404 for every API path without its trailing slash', async () => {
    const paths = [
      ['POST', '/oauth2/access_token'],
      ['POST', '/oauth2/refresh_token'],
      ['POST', '/oauth2/revoke_token'],
      ['GET', '/oauth2/advertiser/get'],
      ['GET', '/advertiser/info'],
      ['GET', '/report/integrated/get'],
      ['POST', '/event/track'],
    ] as const;
    for (const [method, path] of paths) {
      const response = await fetch(`${api(simulator)}${path}`, {
        method,
        headers: { 'Access-Token': rotating.access_token, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  });

  it('returns the token exchange data with documented names and types', async () => {
    expect(Object.keys(rotating).sort()).toEqual([
      'access_token',
      'access_token_expire_in',
      'advertiser_ids',
      'refresh_token',
      'refresh_token_expire_in',
      'scope',
    ]);
    expect(rotating.advertiser_ids).toEqual([US, UK]);
    expect((rotating.scope as unknown[]).every((scope) => Number.isInteger(scope))).toBe(true);
    expect(typeof rotating.refresh_token).toBe('string');
    expect(Object.keys(longTerm).sort()).toEqual(['access_token', 'advertiser_ids', 'scope']);
  });

  it('wraps successes and errors of the OAuth endpoints in the envelope, always HTTP 200', async () => {
    const bad = await postJson(`${api(simulator)}/oauth2/access_token/`, {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      auth_code: 'never-issued',
    });
    expect(bad.status).toBe(200);
    expectEnvelope(bad.body, 40110);

    const missing = await postJson(`${api(simulator)}/oauth2/access_token/`, { app_id: ROTATING_APP.appId });
    expectEnvelope(missing.body, 40002);
    expect(missing.body.message).toContain('secret');

    const malformed = await fetch(`${api(simulator)}/oauth2/access_token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(malformed.status).toBe(200);
    expectEnvelope((await malformed.json()) as TikTokBody, 40002);

    const grantType = await postJson(`${api(simulator)}/oauth2/refresh_token/`, {
      app_id: ROTATING_APP.appId,
      secret: ROTATING_APP.secret,
      refresh_token: rotating.refresh_token,
      grant_type: 'authorization_code',
    });
    expectEnvelope(grantType.body, 40108);

    const listed = await getJson(
      `${api(simulator)}/oauth2/advertiser/get/?${query({ app_id: ROTATING_APP.appId, secret: ROTATING_APP.secret })}`,
      rotating.access_token,
    );
    expect(listed.status).toBe(200);
    expectEnvelope(listed.body, 0);
    expect(Object.keys(listed.body.data)).toEqual(['list']);

    const otherApp = await getJson(
      `${api(simulator)}/oauth2/advertiser/get/?${query({ app_id: LONG_TERM_APP.appId, secret: LONG_TERM_APP.secret })}`,
      rotating.access_token,
    );
    expectEnvelope(otherApp.body, 40113);
  });

  it('describes advertisers with advertiser/info, honouring fields', async () => {
    const all = await getJson(
      `${api(simulator)}/advertiser/info/?${query({ advertiser_ids: [US, UK] })}`,
      rotating.access_token,
    );
    expectEnvelope(all.body, 0);
    const list = all.body.data.list as Record<string, unknown>[];
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({
      advertiser_id: UK,
      name: 'Acme TikTok UK',
      currency: 'GBP',
      timezone: 'Europe/London',
      display_timezone: 'Europe/London',
      status: 'STATUS_ENABLE',
      country: 'GB',
    });
    const some = await getJson(
      `${api(simulator)}/advertiser/info/?${query({ advertiser_ids: [US], fields: ['name', 'currency'] })}`,
      rotating.access_token,
    );
    expect(some.body.data.list).toEqual([{ name: 'Acme TikTok US', currency: 'USD' }]);

    const notGranted = await getJson(
      `${api(simulator)}/advertiser/info/?${query({ advertiser_ids: [UK] })}`,
      longTerm.access_token,
    );
    expectEnvelope(notGranted.body, 40001);
    const missing = await getJson(`${api(simulator)}/advertiser/info/`, rotating.access_token);
    expectEnvelope(missing.body, 40002);
    expect(missing.body.message).toContain('advertiser_ids');
    const noToken = await getJson(`${api(simulator)}/advertiser/info/?${query({ advertiser_ids: [US] })}`);
    expectEnvelope(noToken.body, 40104);
    expect(noToken.body.message).toContain('Access-Token');
  });

  it('returns report rows as dimensions + string metrics with page_info', async () => {
    const response = await getJson(
      `${api(simulator)}/report/integrated/get/?${query({
        advertiser_id: UK,
        report_type: 'BASIC',
        data_level: 'AUCTION_ADVERTISER',
        dimensions: ['advertiser_id', 'stat_time_day'],
        metrics: ['spend', 'impressions', 'clicks', 'currency', 'cpc', 'cpm', 'ctr'],
        start_date: '2026-01-01',
        end_date: '2026-01-03',
        enable_total_metrics: 'true',
      })}`,
      rotating.access_token,
    );
    expectEnvelope(response.body, 0);
    expect(Object.keys(response.body.data).sort()).toEqual(['list', 'page_info', 'total_metrics']);
    expect(response.body.data.page_info).toEqual({ page: 1, page_size: 10, total_number: 3, total_page: 1 });
    const [row] = response.body.data.list as {
      dimensions: Record<string, unknown>;
      metrics: Record<string, unknown>;
    }[];
    expect(row?.dimensions).toEqual({ advertiser_id: UK, stat_time_day: '2026-01-01 00:00:00' });
    expect(Object.keys(row?.metrics ?? {}).sort()).toEqual([
      'clicks',
      'cpc',
      'cpm',
      'ctr',
      'currency',
      'impressions',
      'spend',
    ]);
    for (const value of Object.values(row?.metrics ?? {})) expect(typeof value).toBe('string');
    expect(row?.metrics.spend).toMatch(/^\d+\.\d{2}$/);
    expect(row?.metrics.currency).toBe('GBP');
  });

  it('answers Events API calls with an empty data object', async () => {
    const response = await postJson(
      `${api(simulator)}/event/track/`,
      {
        event_source: 'web',
        event_source_id: 'C8SIMPIXEL0000000001',
        data: [{ event: 'ViewContent', event_time: 1_769_900_000 }],
      },
      { 'Access-Token': longTerm.access_token },
    );
    expect(response.status).toBe(200);
    expectEnvelope(response.body, 0);
    expect(response.body.data).toEqual({});
  });
});
