// Every Graph call a spend read makes, made one way: paced by the caller's limiter (endpoint `insights`),
// the token in the Authorization header (never in a URL), the usage headers handed to the pacer, Graph
// errors mapped by `metaError`, bodies checked with zod, and `paging.next` followed to the last page while
// paging.ts allows it (on the Graph origin, up to a cap).

import { err, ok } from '@adsync/errors';
import type { z } from 'zod';
import { describeUrl, type HttpResponse, httpJson } from '../http.ts';
import { type PagingOptions, refusedPage } from '../paging.ts';
import type { ProviderError, ProviderResult } from '../provider.ts';
import type { MetaSettings } from '../settings.ts';
import { noRoomUnderLimiter, type SpendQuery } from '../spend.ts';
import { metaError } from './meta.errors.ts';
import { type InsightsRow, insightsPage } from './meta.schemas.ts';
import { usageSignals } from './meta.usage.ts';

/** The limiter's name for every call of a spend read: start, poll and read alike. */
export const INSIGHTS_ENDPOINT = 'insights';
/** Far past any real report (a month of hourly rows is two pages of 500); a loop of `next` links ends here. */
const MAX_PAGES = 1_000;

export function stoppedError(): ProviderError {
  return {
    code: 'unavailable',
    message: 'Reading Meta spend stopped because adsync is shutting down; it will be read again.',
    retryable: true,
  };
}

function shapeError(url: string): ProviderError {
  return {
    code: 'unavailable',
    message: `Meta answered ${describeUrl(url)} in an unexpected shape.`,
    retryable: true,
  };
}

export interface InsightsClient {
  get<T extends z.ZodType>(url: string, schema: T, action: string): Promise<ProviderResult<z.output<T>>>;
  post<T extends z.ZodType>(
    url: string,
    form: Record<string, string>,
    schema: T,
    action: string,
  ): Promise<ProviderResult<z.output<T>>>;
  /** Every row from `url` on, following `paging.next` to the end (refusing links off the Graph origin). */
  allRows(url: string, action: string): Promise<ProviderResult<InsightsRow[]>>;
}

export function createInsightsClient(
  settings: MetaSettings,
  query: SpendQuery,
  paging: PagingOptions = {},
): InsightsClient {
  const pages = {
    platform: 'Meta' as const,
    of: 'Insights rows',
    maxPages: paging.maxPages ?? MAX_PAGES,
    origin: new URL(settings.graphUrl).origin,
  };

  async function call<T extends z.ZodType>(
    request: { method: 'GET' | 'POST'; url: string; form?: Record<string, string> },
    schema: T,
    action: string,
  ): Promise<ProviderResult<z.output<T>>> {
    if (query.signal?.aborted) return err(stoppedError());
    if (!(await query.pacer.before(INSIGHTS_ENDPOINT))) return err(noRoomUnderLimiter('meta'));
    const response = await httpJson({
      ...request,
      headers: { authorization: `Bearer ${query.accessToken}` },
    });
    if (!response.ok) return response;
    await reportUsage(response.value);
    if (response.value.status !== 200) return err(metaError(response.value, action));
    const parsed = schema.safeParse(response.value.body);
    return parsed.success ? ok(parsed.data) : err(shapeError(request.url));
  }

  async function reportUsage(response: HttpResponse): Promise<void> {
    for (const signal of usageSignals(response, query.account.externalId)) await query.pacer.usage(signal);
  }

  return {
    get: (url, schema, action) => call({ method: 'GET', url }, schema, action),
    post: (url, form, schema, action) => call({ method: 'POST', url, form }, schema, action),

    async allRows(url, action) {
      const rows: InsightsRow[] = [];
      let next: string | undefined = url;
      for (let page = 1; next !== undefined; page += 1) {
        const refused = refusedPage(pages, { number: page, url: next });
        if (refused !== undefined) return err(refused);
        const body: ProviderResult<z.output<typeof insightsPage>> = await call(
          { method: 'GET', url: next },
          insightsPage,
          action,
        );
        if (!body.ok) return body;
        rows.push(...body.value.data);
        next = body.value.paging?.next;
      }
      return ok(rows);
    },
  };
}
