// The official facebook-nodejs-business-sdk reading the simulator: its Graph host is a static getter, pointed
// here for the duration of the file. Ad accounts, Insights (sync with cursor paging, async runs), a
// Conversions API request and a Graph error all parse as they do against graph.facebook.com.

import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { META_ACCOUNTS, META_PIXELS } from '../seed/accounts.ts';
import type { RunningSimulator } from '../simulator.ts';
import { datesBetween, minorToDecimal } from '../spend/spend-model.ts';
import { spendCells, sumCells } from '../spend/spend-truth.ts';
import { type Json, longLivedToken, startMeta } from './meta.test-support.ts';

const sdk = createRequire(import.meta.url)('facebook-nodejs-business-sdk') as Json;
const graphHost = Object.getOwnPropertyDescriptor(sdk.FacebookAdsApi, 'GRAPH');

let sim: RunningSimulator;
let token = '';

beforeAll(async () => {
  sim = await startMeta({ meta: { asyncRunMilliseconds: 0 } });
  Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', { get: () => `${sim.url}/meta/graph`, configurable: true });
  token = await longLivedToken(sim.url);
  // Without `false` the SDK installs a crash reporter that posts uncaught errors to Facebook.
  sdk.FacebookAdsApi.init(token, 'en_US', false);
});
afterAll(async () => {
  if (graphHost !== undefined) Object.defineProperty(sdk.FacebookAdsApi, 'GRAPH', graphHost);
  sdk.CrashReporter.disable();
  await sim.close();
});

it('User.getAdAccounts and AdAccount.getInsights follow the cursors to the truth', async () => {
  const accounts = await new sdk.User('me').getAdAccounts(['account_id', 'currency', 'timezone_name']);
  expect(accounts.map((account: Json) => account.id)).toEqual(META_ACCOUNTS.map((account) => account.id));

  const nz = META_ACCOUNTS[1];
  if (nz === undefined) throw new Error('no NZ account');
  const cursor = await new sdk.AdAccount(nz.id).getInsights(['spend', 'impressions'], {
    time_range: { since: '2026-11-01', until: '2026-11-10' },
    time_increment: 1,
    breakdowns: ['region'],
    limit: 7,
  });
  const rows: Json[] = [...cursor];
  for (let page = cursor; page.hasNext(); ) {
    page = await page.next();
    rows.push(...page);
  }
  expect(rows).toHaveLength(10 * nz.regions.length);
  const truth = sumCells(
    spendCells('meta', nz, datesBetween('2026-11-01', '2026-11-10'), sim.context.clock.now()),
    (cell) => cell.date,
  );
  const byDate = new Map<string, number>();
  for (const row of rows) {
    byDate.set(row.date_start, (byDate.get(row.date_start) ?? 0) + Math.round(Number(row.spend) * 100));
  }
  for (const [date, total] of truth)
    expect(minorToDecimal(byDate.get(date) ?? -1, 'NZD')).toBe(minorToDecimal(total.spendMinor, 'NZD'));
});

it('getInsightsAsync returns an AdReportRun the SDK can poll and read', async () => {
  const run = await new sdk.AdAccount('act_1000000001').getInsightsAsync(['spend'], {
    date_preset: 'last_7d',
    time_increment: 1,
  });
  expect(run.id).toMatch(/^\d+$/);
  const polled = await run.get(['async_status', 'async_percent_completion']);
  expect(polled.async_status).toBe('Job Completed');
  expect(polled.async_percent_completion).toBe(100);
  const rows = await run.getInsights([], { limit: 100 });
  expect(rows).toHaveLength(7);
});

it('EventRequest.execute sends normalized, hashed events and parses the EventResponse', async () => {
  const userData = new sdk.UserData()
    .setEmail('Dana@Example.com ')
    .setClientIpAddress('203.0.113.9')
    .setClientUserAgent('Mozilla/5.0');
  const event = new sdk.ServerEvent()
    .setEventName('Purchase')
    .setEventTime(Math.floor(sim.context.clock.now() / 1000))
    .setActionSource('website')
    .setEventSourceUrl('https://shop.example/checkout')
    .setUserData(userData)
    .setCustomData(new sdk.CustomData().setValue(19.99).setCurrency('usd'));
  const pixel = META_PIXELS[0].id;
  const response = await new sdk.EventRequest(token, pixel).setEvents([event]).setTestEventCode('TEST42').execute();
  expect(response.events_received).toBe(1);
  expect(response.messages).toEqual([]);
  const recorded = ((await (await fetch(`${sim.url}/_control/events?destination=${pixel}`)).json()) as Json).events;
  expect(recorded).toHaveLength(1);
  expect(recorded[0].testEventCode).toBe('TEST42');
  expect(recorded[0].event.user_data.em).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
});

it('a Graph error becomes a FacebookRequestError carrying code 190 and its subcode', async () => {
  await fetch(`${sim.url}/_control/expire`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ platform: 'meta', token }),
  });
  const failure = await new sdk.User('me').get(['id']).catch((error: unknown) => error);
  // The SDK does not export the class; its name is how callers tell it apart.
  expect(failure.name).toBe('FacebookRequestError');
  expect(failure.status).toBe(400);
  expect(failure.response).toMatchObject({ code: 190, error_subcode: 463, type: 'OAuthException' });
});
