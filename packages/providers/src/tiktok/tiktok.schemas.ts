// The parts of TikTok's answers adsync reads (the envelope, token and advertiser data), checked with zod so a
// changed shape fails loudly as `unavailable`.

import { z } from 'zod';

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
