// Every knob of the simulator, with defaults that behave like the real platforms. Tests shorten the
// lifetimes (a 5-second access token) and lower the limits to exercise expiry and throttling quickly.

import { z } from 'zod';

const seconds = z.number().int().min(1);
const share = z.number().min(0).max(1);

export const simulatorOptionsSchema = z.object({
  meta: z
    .object({
      /** Code exchange result; the real one is often already long-lived (~60 days). */
      shortLivedTokenSeconds: seconds.default(2 * 3600),
      longLivedTokenSeconds: seconds.default(60 * 24 * 3600),
      /** Calls per ad account per rolling hour before BUC throttling (error 80000/80004). */
      callsPerAccountPerHour: z.number().int().min(1).default(5_000),
      /** Graph calls per app per rolling hour before error 4 (the platform limit is 200 × daily users). */
      callsPerAppPerHour: z.number().int().min(1).default(200_000),
      /** Share of async report runs that end in "Job Failed". */
      asyncFailureShare: share.default(0),
      /** Share of async report runs that stall (progress stops) until the control API releases them. */
      asyncStallShare: share.default(0),
      /** How long an async report run takes to reach 100%. */
      asyncRunMilliseconds: z.number().int().min(0).default(1_500),
    })
    .prefault({}),
  google: z
    .object({
      accessTokenSeconds: seconds.default(3600),
      /** Requests per customer per minute before 429 RESOURCE_EXHAUSTED. */
      requestsPerCustomerPerMinute: z.number().int().min(1).default(600),
    })
    .prefault({}),
  tiktok: z
    .object({
      // The token model (rotating or long-term) is a property of the app: seed/apps.ts has one of each.
      accessTokenSeconds: seconds.default(24 * 3600),
      refreshTokenSeconds: seconds.default(365 * 24 * 3600),
      /** Requests per app per second before code 40100. */
      requestsPerSecond: z.number().int().min(1).default(50),
    })
    .prefault({}),
  klaviyo: z
    .object({
      accessTokenSeconds: seconds.default(3600),
      refreshTokenSeconds: seconds.default(90 * 24 * 3600),
      /** Divides every rate tier (XS–XL); 10 makes L = 7.5/s burst, 70/min steady. */
      rateLimitDivisor: z.number().min(0.01).default(1),
    })
    .prefault({}),
});

export type SimulatorOptions = z.output<typeof simulatorOptionsSchema>;
export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;
