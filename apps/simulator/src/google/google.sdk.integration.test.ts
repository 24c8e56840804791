// The official `google-ads-api` package reading the simulator: its REST `query` goes through axios, redirected
// here by a request interceptor on the very axios copy the package loads (the package has no host option).

import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GOOGLE_DIRECT_ACCOUNTS } from '../seed/accounts.ts';
import { GOOGLE_APP } from '../seed/apps.ts';
import type { RunningSimulator } from '../simulator.ts';
import { minorToMicros } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import { authorizedTokens, type Json, startGoogle, token } from './google.test-support.ts';

// Loading both through CommonJS from the package's own location yields the axios instance it calls.
const packageRequire = createRequire(createRequire(import.meta.url).resolve('google-ads-api'));
const { GoogleAdsApi } = packageRequire('google-ads-api') as Json;
const axios = packageRequire('axios') as Json;

let sim: RunningSimulator;
let interceptor = 0;

beforeAll(async () => {
  sim = await startGoogle();
  interceptor = axios.interceptors.request.use((config: { url?: string }) => {
    if (config.url !== undefined)
      config.url = config.url.replace('https://googleads.googleapis.com', `${sim.url}/google/ads`);
    return config;
  });
});
afterAll(async () => {
  axios.interceptors.request.eject(interceptor);
  await sim.close();
});

it('customer.query parses the simulator rows', async () => {
  const tokens = await authorizedTokens(sim.url);
  const client = new GoogleAdsApi({
    client_id: GOOGLE_APP.clientId,
    client_secret: GOOGLE_APP.clientSecret,
    developer_token: 'x',
  });
  const account = GOOGLE_DIRECT_ACCOUNTS[0];
  if (account === undefined) throw new Error('no direct account');
  const customer = client.Customer({ customer_id: account.id, refresh_token: tokens.refresh_token });
  // The package refreshes through google-auth-library → gaxios → node-fetch with a fixed token URL and no
  // option to change it; the instance's token source is pointed at the simulator's token endpoint instead.
  customer.getAccessToken = async () =>
    (
      (await (
        await token(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      ).json()) as Json
    ).access_token;
  const rows = await customer.query(
    "SELECT customer.currency_code, segments.date, metrics.cost_micros FROM customer WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-02'",
  );
  expect(rows).toHaveLength(2);
  const truth = sumCells(
    spendCells('google', account, ['2026-11-01', '2026-11-02'], sim.context.clock.now()),
    (cell) => cell.date,
  );
  for (const row of rows) {
    expect(row.customer.currency_code).toBe('GBP');
    expect(BigInt(row.metrics.cost_micros)).toBe(
      minorToMicros(truth.get(row.segments.date)?.spendMinor ?? 0, account.currency),
    );
  }
});
