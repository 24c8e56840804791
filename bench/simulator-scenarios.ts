// The simulator requests the benchmark drives: token refreshes (rotating refresh tokens, chained per
// connection as a refresh fleet would) and spend reports. Setup goes through the simulator's own OAuth
// and control endpoints, so the benchmark measures exactly what adsync will call.

import { completeConsent } from '@adsync/simulator';
import type { LoadRequest } from './lib/load.ts';

export interface SimulatorScenario {
  name: string;
  kind: 'token' | 'report';
  request: (n: number, connection: number) => LoadRequest;
  /** For TikTok the success signal is in the body (HTTP is always 200): the scenario checks it here. */
  onBody?: (body: string, connection: number) => void;
}

const GOOGLE_APP = {
  clientId: '123456789012-adsyncsim.apps.googleusercontent.com',
  clientSecret: 'sim-google-client-secret',
};
const GOOGLE_CUSTOMER = '1000000015';
const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback';

export async function googleGrant(simulatorUrl: string): Promise<{ accessToken: string; refreshToken: string }> {
  const authorize = new URL(`${simulatorUrl}/google/accounts/o/oauth2/v2/auth`);
  for (const [name, value] of Object.entries({
    client_id: GOOGLE_APP.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'https://www.googleapis.com/auth/adwords',
    access_type: 'offline',
    prompt: 'consent',
    state: 'bench',
  })) {
    authorize.searchParams.set(name, value);
  }
  const callback = await completeConsent(authorize.toString(), { decision: 'approve' });
  const response = await fetch(`${simulatorUrl}/google/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      client_id: GOOGLE_APP.clientId,
      client_secret: GOOGLE_APP.clientSecret,
      redirect_uri: REDIRECT_URI,
    }).toString(),
  });
  const body = (await response.json()) as { access_token: string; refresh_token: string };
  if (response.status !== 200) throw new Error(`Google token exchange failed: ${JSON.stringify(body)}`);
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

const META_APP = { appId: '1234567890123456', appSecret: 'sim-meta-app-secret' };
const META_ACCOUNT = 'act_1000000001';

async function metaToken(simulatorUrl: string): Promise<string> {
  const { result } = (await postJson(`${simulatorUrl}/_control/meta/authorize`, { redirect_uri: REDIRECT_URI })) as {
    result: { code: string };
  };
  const params = new URLSearchParams({
    client_id: META_APP.appId,
    client_secret: META_APP.appSecret,
    redirect_uri: REDIRECT_URI,
    code: result.code,
  });
  const response = await fetch(`${simulatorUrl}/meta/graph/v25.0/oauth/access_token?${params}`);
  const body = (await response.json()) as { access_token: string };
  if (response.status !== 200) throw new Error(`Meta code exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

const TIKTOK_APP = { appId: '7100000000000000001', secret: 'sim-tiktok-secret-rotating' };
const TIKTOK_ADVERTISER = '7000000000000000001';

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function tiktokGrant(simulatorUrl: string): Promise<{ accessToken: string; refreshToken: string }> {
  const { result } = (await postJson(`${simulatorUrl}/_control/tiktok/authorize`, { app_id: TIKTOK_APP.appId })) as {
    result: { auth_code: string };
  };
  const exchanged = (await postJson(`${simulatorUrl}/tiktok/open_api/v1.3/oauth2/access_token/`, {
    app_id: TIKTOK_APP.appId,
    secret: TIKTOK_APP.secret,
    auth_code: result.auth_code,
  })) as { code: number; data: { access_token: string; refresh_token: string } };
  if (exchanged.code !== 0) throw new Error(`TikTok token exchange failed: ${JSON.stringify(exchanged)}`);
  return { accessToken: exchanged.data.access_token, refreshToken: exchanged.data.refresh_token };
}

function failOnTikTokError(body: string): void {
  const parsed = JSON.parse(body) as { code: number; message: string };
  if (parsed.code !== 0) throw new Error(`TikTok answered ${parsed.code}: ${parsed.message}`);
}

export async function simulatorScenarios(simulatorUrl: string, connections: number): Promise<SimulatorScenario[]> {
  // One grant per connection: each connection refreshes its own rotating chain.
  const grants = await Promise.all(Array.from({ length: connections }, () => tiktokGrant(simulatorUrl)));
  const refreshTokens = grants.map((grant) => grant.refreshToken);
  const reportToken = grants[0]?.accessToken ?? '';
  const reportQuery = new URLSearchParams({
    advertiser_id: TIKTOK_ADVERTISER,
    report_type: 'BASIC',
    data_level: 'AUCTION_ADVERTISER',
    dimensions: JSON.stringify(['advertiser_id', 'stat_time_hour']),
    metrics: JSON.stringify(['spend', 'impressions', 'clicks', 'currency']),
    start_date: '2026-11-01',
    end_date: '2026-11-01',
    page_size: '50',
  });

  const google = await googleGrant(simulatorUrl);
  const googleRefreshBody = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: google.refreshToken,
    client_id: GOOGLE_APP.clientId,
    client_secret: GOOGLE_APP.clientSecret,
  }).toString();
  const googleSearchBody = JSON.stringify({
    query:
      "SELECT segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks FROM customer WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-07'",
  });

  const metaAccessToken = await metaToken(simulatorUrl);
  const metaExchangeQuery = new URLSearchParams({
    grant_type: 'fb_exchange_token',
    client_id: META_APP.appId,
    client_secret: META_APP.appSecret,
    fb_exchange_token: metaAccessToken,
  });
  const metaInsightsQuery = new URLSearchParams({
    fields: 'spend,impressions,clicks',
    time_range: JSON.stringify({ since: '2026-11-01', until: '2026-11-07' }),
    time_increment: '1',
    breakdowns: 'region',
    limit: '100',
    access_token: metaAccessToken,
  });

  return [
    {
      name: 'Meta fb_exchange_token',
      kind: 'token',
      request: () => ({ method: 'GET', path: `/meta/graph/v25.0/oauth/access_token?${metaExchangeQuery}` }),
    },
    {
      name: 'Meta Insights (7 days × 3 regions)',
      kind: 'report',
      request: () => ({ method: 'GET', path: `/meta/graph/v25.0/${META_ACCOUNT}/insights?${metaInsightsQuery}` }),
    },
    {
      name: 'Google refresh grant',
      kind: 'token',
      request: () => ({
        method: 'POST',
        path: '/google/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: googleRefreshBody,
      }),
    },
    {
      name: 'Google GAQL search (7 daily rows)',
      kind: 'report',
      request: () => ({
        method: 'POST',
        path: `/google/ads/v23/customers/${GOOGLE_CUSTOMER}/googleAds:search`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${google.accessToken}` },
        body: googleSearchBody,
      }),
    },
    {
      name: 'TikTok refresh (rotating, chained)',
      kind: 'token',
      request: (_n, connection) => ({
        method: 'POST',
        path: '/tiktok/open_api/v1.3/oauth2/refresh_token/',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          app_id: TIKTOK_APP.appId,
          secret: TIKTOK_APP.secret,
          refresh_token: refreshTokens[connection],
          grant_type: 'refresh_token',
        }),
      }),
      onBody: (body, connection) => {
        failOnTikTokError(body);
        refreshTokens[connection] = (JSON.parse(body) as { data: { refresh_token: string } }).data.refresh_token;
      },
    },
    {
      name: 'TikTok hourly report (24 rows)',
      kind: 'report',
      request: () => ({
        method: 'GET',
        path: `/tiktok/open_api/v1.3/report/integrated/get/?${reportQuery}`,
        headers: { 'access-token': reportToken },
      }),
      onBody: failOnTikTokError,
    },
  ];
}
