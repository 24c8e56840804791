// Response shapes of the simulated Google against providers.md §2: token responses, Ads rows in REST JSON
// (lowerCamelCase, int64 as strings), pagination fields and the google.rpc.Status error envelope.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../simulator.ts';
import { authorizedTokens, type Json, search, startGoogle, token } from './google.test-support.ts';

let sim: RunningSimulator;
let access = '';

beforeAll(async () => {
  sim = await startGoogle();
  access = (await authorizedTokens(sim.url)).access_token;
});
afterAll(() => sim.close());

describe('Google fidelity', () => {
  it('token responses and errors', async () => {
    const tokens = await authorizedTokens(sim.url);
    const refreshed = (await (
      await token(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    ).json()) as Json;
    expect(Object.keys(refreshed).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(refreshed.expires_in).toBe(3599);
    expect(refreshed.token_type).toBe('Bearer');
    const unsupported = await token(sim.url, { grant_type: 'password' });
    expect(unsupported.status).toBe(400);
    expect(((await unsupported.json()) as Json).error).toBe('unsupported_grant_type');
    const badClient = await token(sim.url, { grant_type: 'refresh_token', refresh_token: 'x', client_secret: 'wrong' });
    expect(badClient.status).toBe(401);
    expect(((await badClient.json()) as Json).error).toBe('invalid_client');
  });

  it('listAccessibleCustomers', async () => {
    const response = await fetch(`${sim.url}/google/ads/v22/customers:listAccessibleCustomers`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect((await response.json()) as Json).toEqual({
      resourceNames: ['customers/9000000001', 'customers/1000000015'],
    });
  });

  it('search rows in REST JSON', async () => {
    const response = await search(sim.url, access, '1000000015', {
      query:
        "SELECT customer.id, customer.currency_code, customer.time_zone, segments.date, segments.hour, metrics.cost_micros, metrics.impressions FROM customer WHERE segments.date = '2026-11-01' AND segments.hour = 13",
      searchSettings: { returnTotalResultsCount: true },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json;
    expect(body.totalResultsCount).toBe('1');
    expect(body.fieldMask).toBe(
      'customer.id,customer.currencyCode,customer.timeZone,segments.date,segments.hour,metrics.costMicros,metrics.impressions',
    );
    expect(typeof body.requestId).toBe('string');
    expect(body.nextPageToken).toBeUndefined();
    const row = body.results[0];
    expect(row.customer).toEqual({ id: '1000000015', currencyCode: 'GBP', timeZone: 'Europe/London' });
    expect(row.segments).toEqual({ date: '2026-11-01', hour: 13 });
    expect(row.metrics.costMicros).toMatch(/^\d+$/);
    expect(row.metrics.impressions).toMatch(/^\d+$/);
  });

  it('geographic_view, customer_client and geo_target_constant rows', async () => {
    const geo = (await (
      await search(sim.url, access, '1000000015', {
        query:
          "SELECT geographic_view.country_criterion_id, geographic_view.location_type, segments.geo_target_region, metrics.cost_micros FROM geographic_view WHERE segments.date = '2026-11-01'",
      })
    ).json()) as Json;
    expect(geo.results[0].geographicView).toEqual({ countryCriterionId: '2826', locationType: 'LOCATION_OF_PRESENCE' });
    expect(geo.results[0].segments.geoTargetRegion).toMatch(/^geoTargetConstants\/\d+$/);
    const clients = (await (
      await search(sim.url, access, '9000000001', {
        query:
          'SELECT customer_client.id, customer_client.manager, customer_client.level, customer_client.currency_code FROM customer_client',
      })
    ).json()) as Json;
    expect(clients.results[0].customerClient).toEqual({
      id: '9000000001',
      manager: true,
      level: '0',
      currencyCode: 'USD',
    });
    expect(clients.results.length).toBeGreaterThan(1);
    const constants = (await (
      await search(sim.url, access, '1000000015', {
        query: 'SELECT geo_target_constant.id, geo_target_constant.name FROM geo_target_constant',
      })
    ).json()) as Json;
    expect(constants.results).toContainEqual({ geoTargetConstant: { id: '20339', name: 'England' } });
  });

  it('error envelopes, including in a stream', async () => {
    const unknown = await search(
      sim.url,
      access,
      '1000000015',
      { query: 'SELECT metrics.nope FROM customer' },
      { version: 'v24' },
    );
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as Json;
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.details[0]['@type']).toBe('type.googleapis.com/google.ads.googleads.v24.errors.GoogleAdsFailure');
    expect(body.error.details[0].errors[0].errorCode).toEqual({ queryError: 'UNRECOGNIZED_FIELD' });
    expect(typeof body.error.details[0].requestId).toBe('string');

    const unbounded = await search(
      sim.url,
      access,
      '1000000015',
      { query: 'SELECT segments.date, metrics.cost_micros FROM customer' },
      { stream: true },
    );
    expect(unbounded.status).toBe(400);
    const stream = (await unbounded.json()) as Json;
    expect(Array.isArray(stream)).toBe(true);
    expect(stream[0].error.details[0].errors[0].errorCode.queryError).toBeDefined();

    const noAuth = await fetch(`${sim.url}/google/ads/v26/customers:listAccessibleCustomers`);
    expect(noAuth.status).toBe(401);
    const invalid = await search(sim.url, 'ya29.bogus', '1000000015', { query: 'SELECT customer.id FROM customer' });
    expect(((await invalid.json()) as Json).error.details[0].errors[0].errorCode).toEqual({
      authenticationError: 'OAUTH_TOKEN_INVALID',
    });
    const badCid = await search(sim.url, access, '123', { query: 'SELECT customer.id FROM customer' });
    expect(badCid.status).toBe(401);
  });

  it('searchStream answers an array of batches', async () => {
    const response = await search(
      sim.url,
      access,
      '1000000015',
      {
        query:
          "SELECT segments.date, metrics.cost_micros FROM customer WHERE segments.date BETWEEN '2026-11-01' AND '2026-11-03'",
      },
      { stream: true },
    );
    const batches = (await response.json()) as Json;
    expect(batches).toHaveLength(1);
    expect(batches[0].results).toHaveLength(3);
    expect(batches[0].fieldMask).toBe('segments.date,metrics.costMicros');
  });
});
