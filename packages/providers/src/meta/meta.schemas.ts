// The parts of Graph's answers adsync reads, checked with zod so a changed shape fails loudly.

import { z } from 'zod';

export const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().nonnegative().optional(),
});

export const debugTokenResponse = z.object({
  data: z.object({
    app_id: z.string().optional(),
    is_valid: z.boolean(),
    /** Unix seconds; 0 = never. */
    expires_at: z.number().int().nonnegative().optional(),
    scopes: z.array(z.string()).default([]),
    user_id: z.string().optional(),
    error: z
      .object({ code: z.number().optional(), message: z.string().optional(), subcode: z.number().optional() })
      .optional(),
  }),
});

export const adAccountsPage = z.object({
  data: z.array(
    z.object({
      id: z.string().regex(/^act_\d+$/),
      name: z.string(),
      currency: z.string().regex(/^[A-Z]{3}$/),
      timezone_name: z.string().min(1),
    }),
  ),
  paging: z.object({ next: z.string().url().optional() }).optional(),
});

// --- Insights (providers.md §1.4) ---------------------------------------------------------------------------

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Graph prints counts as strings ("1000"); some clients have seen numbers. */
const count = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform(Number)
  .pipe(z.number().int().nonnegative());

/** One Insights row as adsync asks for it (`spend,impressions,clicks,date_start` and one breakdown). */
export const insightsRow = z.object({
  date_start: isoDate,
  /** Decimal in the account currency ("12.34"); absent when nothing was spent. */
  spend: z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .optional(),
  impressions: count.optional(),
  clicks: count.optional(),
  region: z.string().optional(),
  /** "13:00:00 - 13:59:59". */
  hourly_stats_aggregated_by_advertiser_time_zone: z
    .string()
    .regex(/^\d{2}:00:00 - \d{2}:59:59$/)
    .optional(),
});
export type InsightsRow = z.output<typeof insightsRow>;

export const insightsPage = z.object({
  data: z.array(insightsRow),
  paging: z.object({ next: z.string().url().optional() }).optional(),
});

/** `POST act_{id}/insights`. */
export const reportRunStarted = z.object({
  report_run_id: z.union([z.string().min(1), z.number().int()]).transform(String),
});

/** `GET {report_run_id}`: the AdReportRun fields the poll reads. */
export const reportRunStatus = z.object({
  async_status: z.string(),
  async_percent_completion: z.number().min(0).max(100),
});

// --- Usage headers (providers.md §1.5): JSON strings, percentages 0–100 ----------------------------------------

const usageNumber = z
  .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)])
  .transform(Number)
  .pipe(z.number().nonnegative());

/** `X-Business-Use-Case-Usage`: per business object (the ad account for Insights), one entry per use case. */
export const businessUseCaseUsage = z.record(
  z.string(),
  z.array(
    z.object({
      type: z.string().optional(),
      call_count: usageNumber.optional(),
      total_cputime: usageNumber.optional(),
      total_time: usageNumber.optional(),
      /** Minutes. */
      estimated_time_to_regain_access: usageNumber.optional(),
    }),
  ),
);

/** `X-Ad-Account-Usage`. */
export const adAccountUsage = z.object({
  acc_id_util_pct: usageNumber,
  /** Seconds until the account's usage resets. */
  reset_time_duration: usageNumber.optional(),
});

/** `x-fb-ads-insights-throttle`. */
export const insightsThrottle = z.object({
  app_id_util_pct: usageNumber.optional(),
  acc_id_util_pct: usageNumber.optional(),
});

/** `X-App-Usage`. */
export const appUsage = z.object({
  call_count: usageNumber.optional(),
  total_time: usageNumber.optional(),
  total_cputime: usageNumber.optional(),
});

/** providers.md §1.6: what the Conversions API answers for a batch it took. */
export const eventsReceived = z.object({
  events_received: z.number().int().nonnegative(),
});
