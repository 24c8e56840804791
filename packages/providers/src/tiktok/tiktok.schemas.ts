// The parts of TikTok's answers adsync reads (the envelope, token, advertiser and report data), checked with
// zod so a changed shape fails loudly as `unavailable`.

import { z } from 'zod';
import { decimalToMicros } from '../spend.ts';

/** Ids arrive as strings or, in some versions, as numbers (providers.md §3.1, unverified types). */
const id = z.union([z.string().min(1), z.number().int()]).transform(String);

/** providers.md §3: every answer, error or not; `code` is authoritative. */
export const envelope = z.object({
  code: z.number().int(),
  message: z.string().default(''),
  request_id: z.string().optional(),
  data: z.unknown(),
});

/** §3.1: the exchange and refresh answer. Only the rotating model has a refresh token and lifetimes. */
export const tokenData = z.object({
  access_token: z.string().min(1),
  advertiser_ids: z.array(id).optional(),
  /** Permission ids, e.g. [4, 5]. */
  scope: z.array(id).optional(),
  refresh_token: z.string().min(1).optional(),
  access_token_expire_in: z.number().int().nonnegative().optional(),
  refresh_token_expire_in: z.number().int().nonnegative().optional(),
});

/** GET /oauth2/advertiser/get/. */
export const authorizedAdvertisers = z.object({
  list: z.array(z.object({ advertiser_id: id, advertiser_name: z.string().optional() })),
});

/** GET /advertiser/info/ with the fields we ask for. */
export const advertiserInfo = z.object({
  list: z.array(
    z.object({
      advertiser_id: id,
      name: z.string().optional(),
      currency: z.string().regex(/^[A-Z]{3}$/),
      timezone: z.string().optional(),
      display_timezone: z.string().optional(),
    }),
  ),
});

/** `stat_time_day` "2026-01-01 00:00:00" or `stat_time_hour` "2026-01-01 13:00:00", in the advertiser's zone. */
const statTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} (?:[01]\d|2[0-3]):00:00$/)
  .transform((value) => ({ date: value.slice(0, 10), hour: Number(value.slice(11, 13)) }));

/** Metric values are strings (§3.2); counts are tolerated as numbers too. */
const count = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

/** GET /report/integrated/get/ with the dimensions and metrics the spend reader asks for. */
export const integratedReport = z.object({
  list: z.array(
    z.object({
      dimensions: z.object({
        stat_time_day: statTime.optional(),
        stat_time_hour: statTime.optional(),
        province_id: id.optional(),
      }),
      metrics: z.object({
        // Decimal in the advertiser's currency, read digit by digit (never through a float).
        spend: z
          .string()
          .regex(/^-?\d+(?:\.\d+)?$/)
          .transform(decimalToMicros),
        impressions: count,
        clicks: count,
      }),
    }),
  ),
  /** Absent only when there is nothing to page through. */
  page_info: z.object({ total_page: z.number().int().nonnegative() }).optional(),
});
export type IntegratedReportRow = z.output<typeof integratedReport>['list'][number];
