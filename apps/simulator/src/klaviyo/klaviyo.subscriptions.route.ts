// Bulk subscribe and unsubscribe: POST /api/profile-subscription-bulk-create-jobs and
// /api/profile-subscription-bulk-delete-jobs (≤1,000 profiles each). Like the real API they answer 202 with
// an empty body and offer no way to read the job back; the profiles reach (or leave) the list a few seconds
// of clock time later (see klaviyo.state.ts), which is what a client can observe.

import { z } from 'zod';
import type { ApiDeps, ApiRouter } from './klaviyo.api.route.ts';
import { invalid, notFound, pointerOf } from './klaviyo.json-api.ts';
import { type Consent, randomShortId, type SubscriptionJob } from './klaviyo.state.ts';

const consent = z.object({ consent: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NEVER_SUBSCRIBED']) });

const jobProfile = z.object({
  type: z.literal('profile'),
  id: z.string().optional(),
  attributes: z
    .object({
      email: z.email().optional(),
      phone_number: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, 'phone_number must be E.164')
        .optional(),
      subscriptions: z
        .object({
          email: z.object({ marketing: consent }).optional(),
          sms: z.object({ marketing: consent.optional(), transactional: consent.optional() }).optional(),
        })
        .optional(),
    })
    .refine((attributes) => attributes.email !== undefined || attributes.phone_number !== undefined, {
      message: 'each profile needs an email or a phone_number',
    }),
});

const jobBody = (type: string) =>
  z.object({
    data: z.object({
      type: z.literal(type),
      attributes: z.object({
        custom_source: z.string().optional(),
        historical_import: z.boolean().default(false),
        profiles: z.object({ data: z.array(jobProfile).min(1).max(1000) }),
      }),
      relationships: z.object({
        list: z.object({ data: z.object({ type: z.literal('list'), id: z.string().min(1) }) }),
      }),
    }),
  });

const JOB_TYPES = {
  subscribe: 'profile-subscription-bulk-create-job',
  unsubscribe: 'profile-subscription-bulk-delete-job',
} as const;

export function subscriptionRoutes(router: ApiRouter, { state, context }: ApiDeps): void {
  for (const kind of ['subscribe', 'unsubscribe'] as const) {
    const type = JOB_TYPES[kind];
    const body = jobBody(type);
    router.post(
      `/${type}s`,
      { tier: 'L', scopes: ['lists:write', 'profiles:write', 'subscriptions:write'] },
      async (request, reply) => {
        const parsed = body.safeParse(request.body);
        if (!parsed.success) {
          throw invalid(`Invalid subscription job: ${parsed.error.issues[0]?.message ?? 'bad body'}.`, {
            pointer: pointerOf(parsed.error),
          });
        }
        const { attributes, relationships } = parsed.data.data;
        if (!state.lists.has(relationships.list.data.id)) {
          throw notFound(`A list with id ${relationships.list.data.id} does not exist.`);
        }
        const job: SubscriptionJob = {
          id: randomShortId(),
          kind,
          listId: relationships.list.data.id,
          customSource: attributes.custom_source ?? null,
          profiles: attributes.profiles.data.map((profile) => ({
            email: profile.attributes.email ?? null,
            phoneNumber: profile.attributes.phone_number ?? null,
            emailConsent: (profile.attributes.subscriptions?.email?.marketing.consent ?? null) as Consent | null,
            smsConsent: (profile.attributes.subscriptions?.sms?.marketing?.consent ?? null) as Consent | null,
          })),
          created: context.clock.now(),
          completedAt: null,
          addedToList: 0,
        };
        state.jobs.set(job.id, job);
        return reply.status(202).send();
      },
    );
  }
}
