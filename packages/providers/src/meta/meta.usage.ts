// Meta's usage headers (providers.md §1.5) read into UsageSignals, so the caller's pacer slows down before
// Graph throttles: at most one signal for the ad account's budget and one for the app's, per response.
// A header that is absent or unparsable says nothing; it is never an error.

import type { z } from 'zod';
import { type HttpResponse, headerValue } from '../http.ts';
import type { UsageSignal } from '../spend.ts';
import { adAccountUsage, appUsage, businessUseCaseUsage, insightsThrottle } from './meta.schemas.ts';

const INSIGHTS_USE_CASE = 'ads_insights';
/** Graph throttles a budget when its usage reaches 100%. */
const THROTTLED_PERCENT = 100;

function readHeader<T extends z.ZodType>(response: HttpResponse, name: string, schema: T): z.output<T> | undefined {
  const raw = headerValue(response, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const checked = schema.safeParse(parsed);
  return checked.success ? checked.data : undefined;
}

/** Collects the percentages and regain times one scope's headers state. */
class ScopeUsage {
  private percent: number | undefined;
  private regainMs: number | undefined;

  percentages(...values: (number | undefined)[]): void {
    for (const value of values) {
      if (value !== undefined) this.percent = Math.max(this.percent ?? 0, value);
    }
  }

  regainIn(ms: number): void {
    if (ms > 0) this.regainMs = Math.max(this.regainMs ?? 0, ms);
  }

  signal(scope: UsageSignal['scope']): UsageSignal | undefined {
    if (this.percent === undefined) return undefined;
    return {
      scope,
      percentUsed: this.percent,
      ...(this.regainMs === undefined ? {} : { regainAccessInMs: this.regainMs }),
    };
  }
}

/** The BUC entries for this ad account (keyed by its number, or `act_…`), Insights' own when present. */
function businessUseCaseEntries(response: HttpResponse, accountId: string) {
  const usage = readHeader(response, 'x-business-use-case-usage', businessUseCaseUsage);
  if (usage === undefined) return [];
  const numericId = accountId.replace(/^act_/, '');
  const entries = usage[numericId] ?? usage[`act_${numericId}`] ?? [];
  const insights = entries.filter((entry) => entry.type === INSIGHTS_USE_CASE);
  return insights.length > 0 ? insights : entries;
}

/** What one Graph response says about the ad account's and the app's budgets. */
export function usageSignals(response: HttpResponse, accountId: string): UsageSignal[] {
  const account = new ScopeUsage();
  const app = new ScopeUsage();

  for (const entry of businessUseCaseEntries(response, accountId)) {
    account.percentages(entry.call_count, entry.total_cputime, entry.total_time);
    account.regainIn((entry.estimated_time_to_regain_access ?? 0) * 60_000);
  }

  const adAccount = readHeader(response, 'x-ad-account-usage', adAccountUsage);
  if (adAccount !== undefined) {
    account.percentages(adAccount.acc_id_util_pct);
    // The reset time is always sent; it is a time to regain access only once access is lost.
    if (adAccount.acc_id_util_pct >= THROTTLED_PERCENT) account.regainIn((adAccount.reset_time_duration ?? 0) * 1000);
  }

  const throttle = readHeader(response, 'x-fb-ads-insights-throttle', insightsThrottle);
  if (throttle !== undefined) {
    account.percentages(throttle.acc_id_util_pct);
    app.percentages(throttle.app_id_util_pct);
  }

  const appHeader = readHeader(response, 'x-app-usage', appUsage);
  if (appHeader !== undefined) app.percentages(appHeader.call_count, appHeader.total_time, appHeader.total_cputime);

  return [account.signal('account'), app.signal('app')].filter((signal) => signal !== undefined);
}
