// The parts of Google's OAuth and Ads REST answers adsync reads, checked with zod so a changed shape fails
// loudly. Proto3 JSON leaves out empty lists, false and zero, hence the defaults.

import { z } from 'zod';

export const tokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().nonnegative().optional(),
  /** Only on the first consent or with prompt=consent; refreshes answer without it. */
  refresh_token: z.string().min(1).optional(),
  /** Only for time-limited grants. */
  refresh_token_expires_in: z.number().int().positive().optional(),
  scope: z.string().optional(),
});

export type TokenResponse = z.infer<typeof tokenResponse>;

export const accessibleCustomers = z.object({
  resourceNames: z.array(z.string().regex(/^customers\/\d{10}$/)).default([]),
});

export const customerClientPage = z.object({
  results: z
    .array(
      z.object({
        customerClient: z.object({
          id: z.string().regex(/^\d{10}$/),
          descriptiveName: z.string().optional(),
          currencyCode: z.string().regex(/^[A-Z]{3}$/),
          timeZone: z.string().min(1),
          manager: z.boolean().default(false),
          /** 0 is the queried customer itself; deeper levels are reached through it. */
          level: z.string().regex(/^\d+$/).default('0'),
        }),
      }),
    )
    .default([]),
  nextPageToken: z.string().optional(),
});

/**
 * A GoogleAdsFailure: the Ads-specific detail of a failed call, e.g. `{errorCode: {quotaError:
 * 'RESOURCE_EXHAUSTED'}, details: {quotaErrorDetails: {rateScope: 'ACCOUNT', retryDelay: '30s'}}}` (§2.4).
 */
export const adsFailure = z.object({
  errors: z
    .array(
      z.object({
        errorCode: z.record(z.string(), z.string()).optional(),
        message: z.string().optional(),
        details: z
          .object({
            quotaErrorDetails: z
              .object({ rateScope: z.string().optional(), retryDelay: z.string().optional() })
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/** google.rpc.Status without its envelope, as the package hands over a failure that has no Ads detail. */
export const adsStatus = z.object({
  message: z.string().optional(),
  status: z.string().optional(),
  details: z.array(adsFailure).optional(),
});

export type AdsStatus = z.infer<typeof adsStatus>;

/** google.rpc.Status; the GoogleAdsFailure detail carries the specific error codes (providers.md §2.4). */
export const adsErrorEnvelope = z.object({ error: adsStatus });

/** int64 in proto3 JSON: a decimal string. */
const int64 = z.string().regex(/^-?\d+$/);

/**
 * One row of the spend GAQL queries, in the REST API's own lowerCamelCase (the package's parsing is off, see
 * google.ads-package.ts). Proto3 JSON may leave out zero values, hence the defaults.
 */
export const spendResultRow = z.object({
  segments: z.object({
    date: z.iso.date(),
    hour: z.number().int().min(0).max(23).optional(),
    /** `geoTargetConstants/{id}`; absent when Google could not place the click in a region. */
    geoTargetRegion: z.string().min(1).optional(),
  }),
  metrics: z
    .object({
      costMicros: int64.default('0'),
      impressions: int64.default('0'),
      clicks: int64.default('0'),
    })
    .prefault({}),
  geographicView: z.object({ countryCriterionId: int64.optional() }).optional(),
});

export type SpendResultRow = z.infer<typeof spendResultRow>;

export const geoTargetConstantRow = z.object({
  geoTargetConstant: z.object({ resourceName: z.string().min(1), name: z.string().min(1) }),
});
