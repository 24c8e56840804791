// The parts of Klaviyo's answers adsync reads (OAuth token answers, JSON:API resources and errors),
// checked with zod so a changed shape fails loudly as `unavailable`.

import { z } from 'zod';

/** providers.md §4.1: the same shape for the code exchange and for a refresh. */
export const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().nonnegative().optional(),
  refresh_token: z.string().min(1).optional(),
  /** Space-separated granted scopes. */
  scope: z.string().optional(),
});

/** GET /api/accounts: the one account a key or grant reaches. */
export const accountsResponse = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      attributes: z.object({
        contact_information: z.object({ organization_name: z.string().nullish() }),
        timezone: z.string().min(1),
        preferred_currency: z.string().regex(/^[A-Z]{3}$/),
        public_api_key: z.string().min(1),
      }),
    }),
  ),
});

/** Any JSON:API collection page, when only the ids matter. */
export const resourceIds = z.object({ data: z.array(z.object({ id: z.string().min(1) })) });

/** JSON:API errors (§4.3); `status` is a number in live answers but a string per the JSON:API spec. */
export const errorEnvelope = z.object({
  errors: z
    .array(
      z.object({
        status: z.union([z.number(), z.string()]).optional(),
        code: z.string().optional(),
        title: z.string().optional(),
        detail: z.string().optional(),
      }),
    )
    .min(1),
});
