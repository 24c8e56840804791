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
