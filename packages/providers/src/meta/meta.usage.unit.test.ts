// Meta's usage headers into UsageSignals: which entry counts, the largest percentage, regain times in ms,
// and headers that say nothing usable.

import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../http.ts';
import { usageSignals } from './meta.usage.ts';

const ACCOUNT = 'act_1000000005';

function response(headers: Record<string, unknown>): HttpResponse {
  const encoded = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
  return { status: 200, headers: encoded, body: undefined };
}

describe('usageSignals', () => {
  it('reads this account’s ads_insights BUC entry, the largest of its percentages, regain in ms', () => {
    const signals = usageSignals(
      response({
        'x-business-use-case-usage': {
          '1000000005': [
            { type: 'ads_management', call_count: 99, total_cputime: 99, total_time: 99 },
            {
              type: 'ads_insights',
              call_count: 12,
              total_cputime: 40,
              total_time: 7,
              estimated_time_to_regain_access: 3,
            },
          ],
          '999': [{ type: 'ads_insights', call_count: 100, estimated_time_to_regain_access: 60 }],
        },
      }),
      ACCOUNT,
    );
    expect(signals).toEqual([{ scope: 'account', percentUsed: 40, regainAccessInMs: 180_000 }]);
  });

  it('uses the account’s other use cases when it has no ads_insights entry', () => {
    const signals = usageSignals(
      response({ 'x-business-use-case-usage': { act_1000000005: [{ type: 'ads_management', call_count: 55 }] } }),
      ACCOUNT,
    );
    expect(signals).toEqual([{ scope: 'account', percentUsed: 55 }]);
  });

  it('combines the ad account, insights-throttle and app headers into one signal per scope', () => {
    const signals = usageSignals(
      response({
        'x-ad-account-usage': {
          acc_id_util_pct: 9.67,
          reset_time_duration: 100,
          ads_api_access_tier: 'standard_access',
        },
        'x-fb-ads-insights-throttle': { app_id_util_pct: 31, acc_id_util_pct: 20 },
        'x-app-usage': { call_count: 28, total_time: 25, total_cputime: 44 },
      }),
      ACCOUNT,
    );
    // The reset time is not a regain time while the account is under its limit.
    expect(signals).toEqual([
      { scope: 'account', percentUsed: 20 },
      { scope: 'app', percentUsed: 44 },
    ]);
  });

  it('a throttled ad account regains access after reset_time_duration seconds', () => {
    const signals = usageSignals(
      response({ 'x-ad-account-usage': { acc_id_util_pct: 100, reset_time_duration: 90 } }),
      ACCOUNT,
    );
    expect(signals).toEqual([{ scope: 'account', percentUsed: 100, regainAccessInMs: 90_000 }]);
  });

  it('takes numbers sent as strings', () => {
    expect(usageSignals(response({ 'x-app-usage': { call_count: '61', total_time: '3' } }), ACCOUNT)).toEqual([
      { scope: 'app', percentUsed: 61 },
    ]);
  });

  it('ignores absent, unparsable and misshapen headers', () => {
    expect(usageSignals(response({}), ACCOUNT)).toEqual([]);
    expect(
      usageSignals(
        response({
          'x-business-use-case-usage': '{not json',
          'x-ad-account-usage': { acc_id_util_pct: 'lots' },
          'x-app-usage': [1, 2],
          'x-fb-ads-insights-throttle': 'null',
        }),
        ACCOUNT,
      ),
    ).toEqual([]);
  });
});
