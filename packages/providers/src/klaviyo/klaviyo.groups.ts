// Reading Klaviyo's lists, segments and catalog items (providers.md §4.2): their metadata, and a segment's
// members as profile ids only (the least personal data there is), following `links.next` page by page. Every request asks the
// pacer first and tells it what the RateLimit-* headers say of the window; a 429 waits its Retry-After and
// asks for the same page again, so a throttling storm slows a read down instead of failing it (up to
// `maxThrottleWaitMs` in all).

import { err, ok } from '@adsync/errors';
import { z } from 'zod';
import { type HttpResponse, headerValue } from '../http.ts';
import { type PagingOptions, refusedPage } from '../paging.ts';
import type { ProviderResult } from '../provider.ts';
import type { KlaviyoSettings } from '../settings.ts';
import type { CallPacer, UsageSignal } from '../spend.ts';
import { apiRequest, apiUrl, type KlaviyoCredential } from './klaviyo.api.ts';
import { klaviyoApiError, schemaError } from './klaviyo.errors.ts';

export type KlaviyoTier = 'XS' | 'S' | 'M' | 'L' | 'XL';

/** The rate tier of each Klaviyo endpoint adsync reads (providers.md §4.2); the pacer budgets by tier. */
export const KLAVIYO_ENDPOINT_TIERS = {
  lists: 'L',
  segments: 'L',
  'segment-members': 'L',
  'catalog-items': 'XL',
  'list-create': 'M',
  'list-members': 'L',
  'subscription-jobs': 'L',
} as const satisfies Record<string, KlaviyoTier>;

export type KlaviyoEndpoint = keyof typeof KLAVIYO_ENDPOINT_TIERS;

/**
 * What each paged endpoint holds, and the most pages one read of it follows: each cap is far past the largest
 * real account at the page size adsync asks for. Lists and segments come 10 a page (100,000 of either),
 * catalog items 100 (10 million), segment members 100, Klaviyo's largest page (100 million profiles); a
 * members lookup names at most 50 emails or phone numbers, one page of 100. A `links.next` loop ends here.
 */
const PAGED_READS = {
  lists: { of: 'lists', maxPages: 10_000 },
  segments: { of: 'segments', maxPages: 10_000 },
  'catalog-items': { of: 'catalog items', maxPages: 100_000 },
  'segment-members': { of: 'a segment’s members', maxPages: 1_000_000 },
  'list-members': { of: 'a list’s members', maxPages: 100 },
} as const satisfies Partial<Record<KlaviyoEndpoint, { of: string; maxPages: number }>>;

export type KlaviyoPagedEndpoint = keyof typeof PAGED_READS;

/** `maxPages` overrides every endpoint's own cap (PAGED_READS). */
export interface KlaviyoReader extends PagingOptions {
  settings: KlaviyoSettings;
  credential: KlaviyoCredential;
  /** Asked before every request, with the endpoint's name (see KLAVIYO_ENDPOINT_TIERS). */
  pacer: CallPacer;
  /** How long 429s may hold one read up in all before it gives up with `rate_limited` (default 10 minutes). */
  maxThrottleWaitMs?: number;
  /** Waits out a Retry-After (tests pass a quicker clock). */
  sleep?: (ms: number) => Promise<void>;
}

export interface KlaviyoGroup {
  id: string;
  name: string;
  /** ISO 8601, as Klaviyo reports them. */
  created: string;
  updated: string;
}

const DEFAULT_MAX_THROTTLE_WAIT_MS = 10 * 60_000;
/** A 429 without Retry-After waits this long. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

const groupPage = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      attributes: z.object({ name: z.string(), created: z.string(), updated: z.string() }),
    }),
  ),
  links: z.object({ next: z.string().nullish() }).optional(),
});

const catalogPage = z.object({
  data: z.array(
    z.object({
      id: z.string().min(1),
      attributes: z.object({
        external_id: z.string().min(1),
        title: z.string(),
        url: z.string(),
        price: z.number().nullish(),
        published: z.boolean(),
        updated: z.string(),
      }),
    }),
  ),
  links: z.object({ next: z.string().nullish() }).optional(),
});

export interface KlaviyoCatalogItem {
  /** Klaviyo's id, e.g. `$custom:::$default:::SKU-1`. */
  id: string;
  /** The brand's own id for the product (its SKU or external id). */
  externalId: string;
  title: string;
  url: string;
  price: number | null;
  published: boolean;
  updated: string;
}

const memberPage = z.object({
  data: z.array(z.object({ type: z.literal('profile'), id: z.string().min(1) })),
  links: z.object({ next: z.string().nullish() }).optional(),
});

/** What RateLimit-Limit / -Remaining / -Reset say of the steady window, as a usage signal. */
export function rateLimitUsage(response: HttpResponse): UsageSignal | undefined {
  const limit = Number(headerValue(response, 'ratelimit-limit'));
  const remaining = Number(headerValue(response, 'ratelimit-remaining'));
  if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(remaining)) return undefined;
  const resetSeconds = Number(headerValue(response, 'ratelimit-reset'));
  const percentUsed = Math.max(0, Math.min(100, ((limit - remaining) / limit) * 100));
  return remaining <= 0 && Number.isFinite(resetSeconds) && resetSeconds > 0
    ? { scope: 'account', percentUsed, regainAccessInMs: resetSeconds * 1000 }
    : { scope: 'account', percentUsed };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One request: paced, its usage reported, 429s waited out and sent again. Any 2xx is a success. */
export async function pacedRequest(
  reader: KlaviyoReader,
  endpoint: KlaviyoEndpoint,
  request: { method: 'GET' | 'POST'; url: string; json?: unknown },
  action: string,
): Promise<ProviderResult<HttpResponse>> {
  const maxWaitMs = reader.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS;
  let waitedMs = 0;
  for (;;) {
    if (!(await reader.pacer.before(endpoint))) {
      return err({
        code: 'rate_limited',
        message: 'No room under adsync’s Klaviyo rate limit soon enough; the sync continues later.',
        retryable: true,
      });
    }
    const answer = await apiRequest(reader.settings, reader.credential, request);
    if (!answer.ok) return answer;
    const usage = rateLimitUsage(answer.value);
    if (usage !== undefined) await reader.pacer.usage(usage);
    if (answer.value.status >= 200 && answer.value.status < 300) return answer;
    const error = klaviyoApiError(answer.value, action, reader.credential.kind);
    if (error.code !== 'rate_limited') return err(error);
    const waitMs = error.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
    if (waitedMs + waitMs > maxWaitMs) return err(error);
    // The whole fleet holds off this account's endpoint, then this request goes again.
    await reader.pacer.usage({ scope: 'account', percentUsed: 100, regainAccessInMs: waitMs });
    await (reader.sleep ?? sleepFor)(waitMs);
    waitedMs += waitMs;
  }
}

/**
 * Calls `onPage` with each page's data, following `links.next` until there is none. A read paging.ts stops
 * (a link off the API origin, too many pages) fails whole: callers apply what they read only on success.
 */
export async function forEachPage<T>(
  reader: KlaviyoReader,
  endpoint: KlaviyoPagedEndpoint,
  firstUrl: string,
  schema: z.ZodType<{ data: T[]; links?: { next?: string | null | undefined } | undefined }>,
  action: string,
  onPage: (items: T[]) => Promise<void> | void,
): Promise<ProviderResult<{ pages: number; items: number }>> {
  const read = {
    platform: 'Klaviyo' as const,
    of: PAGED_READS[endpoint].of,
    maxPages: reader.maxPages ?? PAGED_READS[endpoint].maxPages,
    origin: new URL(reader.settings.apiUrl).origin,
  };
  let url: string | undefined = firstUrl;
  let pages = 0;
  let items = 0;
  while (url !== undefined) {
    const refused = refusedPage(read, { number: pages + 1, url });
    if (refused !== undefined) return err(refused);
    const answer = await pacedRequest(reader, endpoint, { method: 'GET', url }, action);
    if (!answer.ok) return answer;
    const parsed = schema.safeParse(answer.value.body);
    if (!parsed.success) return err(schemaError(action));
    pages += 1;
    items += parsed.data.data.length;
    await onPage(parsed.data.data);
    url = parsed.data.links?.next ?? undefined;
  }
  return ok({ pages, items });
}

async function listGroups(
  reader: KlaviyoReader,
  endpoint: 'lists' | 'segments',
  type: 'list' | 'segment',
  query: Record<string, string> = {},
): Promise<ProviderResult<KlaviyoGroup[]>> {
  const groups: KlaviyoGroup[] = [];
  const url = apiUrl(reader.settings, endpoint, { [`fields[${type}]`]: 'name,created,updated', ...query });
  const read = await forEachPage(reader, endpoint, url, groupPage, `list ${endpoint}`, (page) => {
    for (const item of page) groups.push({ id: item.id, ...item.attributes });
  });
  return read.ok ? ok(groups) : read;
}

/** Every list of the account (10 per page). */
export function listKlaviyoLists(reader: KlaviyoReader): Promise<ProviderResult<KlaviyoGroup[]>> {
  return listGroups(reader, 'lists', 'list');
}

/** The lists created after `since` (Klaviyo filters on `created`; seconds are its finest grain). */
export function listKlaviyoListsCreatedAfter(
  reader: KlaviyoReader,
  since: Date,
): Promise<ProviderResult<KlaviyoGroup[]>> {
  const at = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return listGroups(reader, 'lists', 'list', { filter: `greater-than(created,${at})` });
}

/** Every segment of the account (10 per page). */
export function listKlaviyoSegments(reader: KlaviyoReader): Promise<ProviderResult<KlaviyoGroup[]>> {
  return listGroups(reader, 'segments', 'segment');
}

/** A segment's members as profile ids, 100 per page, each page handed to `onPage` as it arrives. */
export function forEachSegmentMemberPage(
  reader: KlaviyoReader,
  segmentId: string,
  onPage: (profileIds: string[]) => Promise<void> | void,
): Promise<ProviderResult<{ pages: number; items: number }>> {
  const url = apiUrl(reader.settings, `segments/${encodeURIComponent(segmentId)}/relationships/profiles`, {
    'page[size]': '100',
  });
  return forEachPage(reader, 'segment-members', url, memberPage, 'read a segment’s members', (page) =>
    onPage(page.map((member) => member.id)),
  );
}

/** Every catalog item of the account (100 per page). */
export async function listKlaviyoCatalogItems(reader: KlaviyoReader): Promise<ProviderResult<KlaviyoCatalogItem[]>> {
  const items: KlaviyoCatalogItem[] = [];
  const url = apiUrl(reader.settings, 'catalog-items', {
    'fields[catalog-item]': 'external_id,title,url,price,published,updated',
  });
  const read = await forEachPage(reader, 'catalog-items', url, catalogPage, 'list catalog items', (page) => {
    for (const item of page) {
      const { external_id: externalId, price, ...attributes } = item.attributes;
      items.push({ id: item.id, externalId, price: price ?? null, ...attributes });
    }
  });
  return read.ok ? ok(items) : read;
}
