// Meta's throttling signals (providers.md §1.5): usage headers on every Graph response, HTTP 400 with code
// 80000 (Insights) or 80004 (management) and subcode 2446079 once an ad account's hourly budget is spent,
// for that account only, until the hour rolls on; code 4 when the whole app is over its budget.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../simulator.ts';
import { graph, type Json, longLivedToken, startMeta } from './meta.test-support.ts';

const PER_ACCOUNT = 4;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startMeta({ meta: { callsPerAccountPerHour: PER_ACCOUNT, callsPerAppPerHour: 1_000 } });
});
afterAll(() => sim.close());

const insights = (id: string, token: string) => graph(sim.url, `v25.0/${id}/insights?date_preset=yesterday`, token);
const usageOf = (response: Response, id: string) =>
  (JSON.parse(response.headers.get('x-business-use-case-usage') ?? '{}') as Json)[id]?.[0];

describe('Business Use Case limits', () => {
  it('counts up in the headers, then answers 80000 for that account only, until the hour passes', async () => {
    const token = await longLivedToken(sim.url);
    for (let call = 1; call <= PER_ACCOUNT; call += 1) {
      const response = await insights('act_1000000001', token);
      expect(response.status).toBe(200);
      expect(usageOf(response, '1000000001')).toMatchObject({
        type: 'ads_insights',
        call_count: (call * 100) / PER_ACCOUNT,
        estimated_time_to_regain_access: 0,
      });
      expect(JSON.parse(response.headers.get('x-app-usage') ?? '')).toHaveProperty('call_count');
    }
    const throttled = await insights('act_1000000001', token);
    expect(throttled.status).toBe(400);
    expect(((await throttled.json()) as Json).error).toMatchObject({
      message: expect.stringMatching(
        /^\(#80000\) There have been too many calls from this ad-account\. Wait a bit and try again/,
      ),
      type: 'OAuthException',
      code: 80000,
      error_subcode: 2446079,
    });
    expect(usageOf(throttled, '1000000001')).toMatchObject({ call_count: 100, estimated_time_to_regain_access: 60 });
    expect(JSON.parse(throttled.headers.get('x-ad-account-usage') ?? '')).toMatchObject({ acc_id_util_pct: 100 });

    expect((await insights('act_1000000002', token)).status).toBe(200);
    // Management calls have their own budget, and their own code.
    for (let call = 0; call < PER_ACCOUNT; call += 1) {
      expect((await graph(sim.url, 'v25.0/act_1000000001?fields=name', token)).status).toBe(200);
    }
    const management = await graph(sim.url, 'v25.0/act_1000000001?fields=name', token);
    expect(((await management.json()) as Json).error).toMatchObject({ code: 80004, error_subcode: 2446079 });

    await fetch(`${sim.url}/_control/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms: 3_600_000 }),
    });
    expect((await insights('act_1000000001', token)).status).toBe(200);
  });

  it('answers code 4 once the app spends its hourly budget', async () => {
    const small = await startMeta({ meta: { callsPerAppPerHour: 5 } });
    try {
      const token = await longLivedToken(small.url);
      let response: Response;
      do response = await graph(small.url, 'v25.0/me', token);
      while (response.status === 200);
      expect(response.status).toBe(400);
      expect(((await response.json()) as Json).error).toMatchObject({
        code: 4,
        message: '(#4) Application request limit reached',
      });
      expect(JSON.parse(response.headers.get('x-app-usage') ?? '')).toMatchObject({ call_count: 100 });
    } finally {
      await small.close();
    }
  });
});
