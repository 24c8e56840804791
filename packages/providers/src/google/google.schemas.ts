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

/** google.rpc.Status; the GoogleAdsFailure detail carries the specific error codes (providers.md §2.4). */
export const adsErrorEnvelope = z.object({
  error: z.object({
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.object({
          errors: z
            .array(
              z.object({
                errorCode: z.record(z.string(), z.string()).optional(),
                message: z.string().optional(),
                details: z
                  .object({ quotaErrorDetails: z.object({ retryDelay: z.string().optional() }).optional() })
                  .optional(),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
  }),
});
