// Klaviyo list writes (providers.md §4.2): create a list; add profiles to a list with a bulk subscribe job and
// take them off with a bulk unsubscribe job (≤ 1,000 profiles each, marketing consent per channel); and which
// of some emails and phone numbers are in a list now. Klaviyo offers no way to read a subscription job back,
// so that last read is how a job's completion is observed.

import { err, ok } from '@adsync/errors';
import { z } from 'zod';
import type { ProviderResult } from '../provider.ts';
import { apiUrl } from './klaviyo.api.ts';
import { schemaError } from './klaviyo.errors.ts';
import { forEachPage, type KlaviyoGroup, type KlaviyoReader, pacedRequest } from './klaviyo.groups.ts';

/** Klaviyo's limit for one bulk subscription job. */
export const MAX_PROFILES_PER_SUBSCRIPTION_JOB = 1_000;
/** Emails or phone numbers per `any(…)` filter when looking for members. */
const VALUES_PER_FILTER = 50;

export type ConsentChannel = 'email' | 'sms';

export interface ListProfile {
  /** Lowercase. */
  email: string | null;
  /** E.164. */
  phoneNumber: string | null;
  /** The channels whose marketing consent the job records (SUBSCRIBED, or UNSUBSCRIBED when removing). */
  channels: readonly ConsentChannel[];
}

export interface SubscriptionJob {
  kind: 'subscribe' | 'unsubscribe';
  listId: string;
  /** Shown in Klaviyo as where the consent came from (subscribe only). */
  customSource?: string;
  profiles: readonly ListProfile[];
}

const createdList = z.object({
  data: z.object({
    id: z.string().min(1),
    attributes: z.object({ name: z.string(), created: z.string(), updated: z.string() }),
  }),
});

const memberPage = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      attributes: z.object({ email: z.string().nullish(), phone_number: z.string().nullish() }),
    }),
  ),
  links: z.object({ next: z.string().nullish() }).optional(),
});

export async function createKlaviyoList(reader: KlaviyoReader, name: string): Promise<ProviderResult<KlaviyoGroup>> {
  const answer = await pacedRequest(
    reader,
    'list-create',
    { method: 'POST', url: apiUrl(reader.settings, 'lists'), json: { data: { type: 'list', attributes: { name } } } },
    'create the list',
  );
  if (!answer.ok) return answer;
  const parsed = createdList.safeParse(answer.value.body);
  if (!parsed.success) return err(schemaError('POST /api/lists'));
  return ok({ id: parsed.data.data.id, ...parsed.data.data.attributes });
}

function jobProfile(profile: ListProfile, consent: 'SUBSCRIBED' | 'UNSUBSCRIBED') {
  const subscriptions: Record<string, unknown> = {};
  for (const channel of profile.channels) subscriptions[channel] = { marketing: { consent } };
  return {
    type: 'profile',
    attributes: {
      ...(profile.email === null ? {} : { email: profile.email }),
      ...(profile.phoneNumber === null ? {} : { phone_number: profile.phoneNumber }),
      subscriptions,
    },
  };
}

/** Submits the job; Klaviyo answers 202 and applies it some seconds later. */
export async function submitSubscriptionJob(
  reader: KlaviyoReader,
  job: SubscriptionJob,
): Promise<ProviderResult<void>> {
  if (job.profiles.length === 0 || job.profiles.length > MAX_PROFILES_PER_SUBSCRIPTION_JOB) {
    return err({
      code: 'invalid_request',
      message: `A subscription job carries 1 to ${MAX_PROFILES_PER_SUBSCRIPTION_JOB} profiles.`,
      retryable: false,
    });
  }
  const type =
    job.kind === 'subscribe' ? 'profile-subscription-bulk-create-job' : 'profile-subscription-bulk-delete-job';
  const consent = job.kind === 'subscribe' ? 'SUBSCRIBED' : 'UNSUBSCRIBED';
  const answer = await pacedRequest(
    reader,
    'subscription-jobs',
    {
      method: 'POST',
      url: apiUrl(reader.settings, `${type}s`),
      json: {
        data: {
          type,
          attributes: {
            ...(job.kind === 'subscribe' && job.customSource !== undefined ? { custom_source: job.customSource } : {}),
            profiles: { data: job.profiles.map((profile) => jobProfile(profile, consent)) },
          },
          relationships: { list: { data: { type: 'list', id: job.listId } } },
        },
      },
    },
    job.kind === 'subscribe' ? 'subscribe profiles to the list' : 'unsubscribe profiles from the list',
  );
  return answer.ok ? ok(undefined) : answer;
}

function anyFilter(field: 'email' | 'phone_number', values: readonly string[]): string {
  return `any(${field},[${values.map((value) => JSON.stringify(value)).join(',')}])`;
}

/** Which of these emails (lowercased) and phone numbers belong to a member of the list now. */
export async function listMembersAmong(
  reader: KlaviyoReader,
  listId: string,
  wanted: { emails: readonly string[]; phoneNumbers: readonly string[] },
): Promise<ProviderResult<Set<string>>> {
  const found = new Set<string>();
  const lookups: { field: 'email' | 'phone_number'; values: readonly string[] }[] = [];
  for (let start = 0; start < wanted.emails.length; start += VALUES_PER_FILTER) {
    lookups.push({ field: 'email', values: wanted.emails.slice(start, start + VALUES_PER_FILTER) });
  }
  for (let start = 0; start < wanted.phoneNumbers.length; start += VALUES_PER_FILTER) {
    lookups.push({ field: 'phone_number', values: wanted.phoneNumbers.slice(start, start + VALUES_PER_FILTER) });
  }
  for (const lookup of lookups) {
    const url = apiUrl(reader.settings, `lists/${encodeURIComponent(listId)}/profiles`, {
      filter: anyFilter(lookup.field, lookup.values),
      'fields[profile]': 'email,phone_number',
      'page[size]': '100',
    });
    const read = await forEachPage(reader, 'list-members', url, memberPage, 'read the list’s members', (page) => {
      for (const member of page) {
        if (member.attributes.email) found.add(member.attributes.email.toLowerCase());
        if (member.attributes.phone_number) found.add(member.attributes.phone_number);
      }
    });
    if (!read.ok) return read;
  }
  return ok(found);
}
