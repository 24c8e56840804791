// The neutral conversion event a brand posts (one schema for every platform), checked one event at a time
// so a bad event is refused on its own with the field at fault and what to fix.

import { z } from 'zod';

export const ACTION_SOURCES = [
  'website',
  'app',
  'email',
  'phone_call',
  'chat',
  'physical_store',
  'system_generated',
  'business_messaging',
  'other',
] as const;

/** Events per request; more is refused as too large (413). */
export const MAX_EVENTS_PER_REQUEST = 1_000;

const text = (max: number) => z.string().trim().min(1).max(max);
/** One value, or several for one person (two emails); at most 10. */
const oneOrMany = (max: number) => z.union([text(max), z.array(text(max)).min(1).max(10)]);

const user = z.strictObject({
  email: oneOrMany(320).optional(),
  phone: oneOrMany(64).optional(),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  city: text(100).optional(),
  state: text(100).optional(),
  zip: text(32).optional(),
  country: text(64).optional(),
  dateOfBirth: text(64).optional(),
  gender: text(64).optional(),
  externalId: oneOrMany(256).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  userAgent: text(1_000).optional(),
  fbp: text(500).optional(),
  fbc: text(500).optional(),
  fbclid: text(500).optional(),
  ttclid: text(500).optional(),
  ttp: text(500).optional(),
  locale: text(35).optional(),
});

const content = z.strictObject({
  id: text(256),
  quantity: z.number().int().min(1).max(1_000_000).optional(),
  price: z.number().min(0).max(1e12).optional(),
  name: text(500).optional(),
  category: text(500).optional(),
});

const custom = z.strictObject({
  value: z.number().min(0).max(1e12).optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as "USD"')
    .transform((code) => code.toUpperCase())
    .optional(),
  contents: z.array(content).max(1_000).optional(),
  contentType: z.enum(['product', 'product_group']).optional(),
  contentName: text(500).optional(),
  contentCategory: text(500).optional(),
  orderId: text(256).optional(),
  numItems: z.number().int().min(0).max(1_000_000).optional(),
  searchString: text(500).optional(),
});

/** Unix seconds, or an ISO 8601 time with its offset; milliseconds are refused, not guessed. */
const eventTime = z.union([
  z.number().int().positive().max(99_999_999_999, 'looks like milliseconds: send Unix seconds, or an ISO 8601 time'),
  z.iso.datetime({ offset: true }).transform((iso) => Math.floor(Date.parse(iso) / 1000)),
]);

export const neutralEvent = z
  .strictObject({
    id: z.string().trim().min(1).max(128),
    name: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_ -]+$/, 'may use letters, digits, spaces, "_" and "-"'),
    time: eventTime,
    actionSource: z.enum(ACTION_SOURCES).default('website'),
    pageUrl: z
      .url({ protocol: /^https?$/ })
      .max(2_000)
      .optional(),
    referrerUrl: z
      .url({ protocol: /^https?$/ })
      .max(2_000)
      .optional(),
    user: user,
    custom: custom.optional(),
  })
  .superRefine((event, ctx) => {
    if (event.actionSource === 'website') {
      if (event.pageUrl === undefined) {
        ctx.addIssue({ code: 'custom', path: ['pageUrl'], message: 'website events need the page URL' });
      }
      if (event.user.userAgent === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['user', 'userAgent'],
          message: "website events need the browser's user agent",
        });
      }
    }
    if (event.name === 'Purchase' && (event.custom?.value === undefined || event.custom.currency === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['custom'],
        message: 'Purchase events need custom.value and custom.currency',
      });
    }
    const identifiers = Object.values(event.user).filter((value) => value !== undefined);
    if (identifiers.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['user'],
        message:
          'user needs at least one identifier (email, phone, externalId, ip with userAgent, fbp, fbc, ttclid, ...)',
      });
    }
  });

export type NeutralEvent = z.output<typeof neutralEvent>;
export type NeutralUser = NeutralEvent['user'];

/** Why one event was refused: a stable code, the field at fault when there is one, and what to fix. */
export interface EventProblem {
  code: string;
  message: string;
  field?: string;
}

export function invalidEventProblem(error: z.ZodError): EventProblem {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? undefined : issue.path.join('.');
  const message = `${field ?? 'event'}: ${issue?.message ?? 'unexpected shape'}`;
  return field === undefined ? { code: 'invalid_event', message } : { code: 'invalid_event', message, field };
}

/** The event id of a raw event, when it has a usable one (to name refused events in the response). */
export function rawEventId(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
