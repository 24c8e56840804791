// JSON:API plumbing shared by Klaviyo's /api routes: the error envelope, timestamps, links and cursor
// pagination (`links.next` is an absolute URL carrying `page[cursor]`, followed verbatim by clients).

import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';

export const JSON_API = 'application/vnd.api+json';

export type ErrorSource = { pointer: string } | { parameter: string };

/** An error answered as `{"errors":[…]}`; thrown by handlers and turned into a response by the scope. */
export class KlaviyoApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly source: ErrorSource | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    extra: { source?: ErrorSource; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.title = title;
    this.source = extra.source;
    this.headers = extra.headers ?? {};
  }
}

export function errorBody(error: KlaviyoApiError) {
  return {
    errors: [
      {
        id: randomUUID(),
        status: error.status,
        code: error.code,
        title: error.title,
        detail: error.message,
        source: error.source ?? { pointer: '/data' },
        links: {},
        meta: {},
      },
    ],
  };
}

export const invalid = (detail: string, source: ErrorSource) =>
  new KlaviyoApiError(400, 'invalid', 'Invalid input.', detail, { source });

export const notFound = (detail: string) =>
  new KlaviyoApiError(404, 'not_found', 'Not found.', detail, { source: { pointer: '/data' } });

/** Klaviyo writes timestamps with an explicit offset and no fraction: 2025-01-06T09:00:00+00:00. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** `https://host/klaviyo/a` for this request: links point back at whichever host the client used. */
export function apiOrigin(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  return `${request.protocol}://${request.host}${path.slice(0, path.indexOf('/api/'))}`;
}

export function resourceLink(request: FastifyRequest, path: string): string {
  return `${apiOrigin(request)}/api/${path}/`;
}

function query(request: FastifyRequest): Record<string, string> {
  const raw = (request.query ?? {}) as Record<string, unknown>;
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) flat[key] = Array.isArray(value) ? String(value[0]) : String(value);
  return flat;
}

export function queryParam(request: FastifyRequest, name: string): string | undefined {
  return query(request)[name];
}

/** Rejects query parameters the endpoint does not document, as Klaviyo answers them with 400. */
export function allowParams(request: FastifyRequest, allowed: readonly string[]): void {
  for (const name of Object.keys(query(request))) {
    if (!allowed.includes(name)) {
      throw invalid(`'${name}' is not a valid query parameter for this endpoint.`, { parameter: name });
    }
  }
}

export function pageSize(request: FastifyRequest, defaultSize: number, max: number): number {
  const raw = queryParam(request, 'page[size]');
  if (raw === undefined) return defaultSize;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw invalid(`page[size] must be an integer between 1 and ${max}.`, { parameter: 'page[size]' });
  }
  return size;
}

export interface Page<T> {
  items: T[];
  links: { self: string; next: string | null; prev: null };
}

/**
 * One page of `items` (already sorted by `keyOf`, ascending or descending). The cursor remembers the last
 * key served, so members joining or leaving between pages neither repeat nor skip the others.
 */
export function paginate<T>(
  request: FastifyRequest,
  items: readonly T[],
  keyOf: (item: T) => string,
  options: { size: number; descending?: boolean },
): Page<T> {
  const cursor = queryParam(request, 'page[cursor]');
  let after: string | undefined;
  if (cursor !== undefined) {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    if (!decoded.startsWith('next::')) throw invalid('Invalid page cursor.', { parameter: 'page[cursor]' });
    after = decoded.slice('next::'.length);
  }
  const comesAfter = (key: string) => after === undefined || (options.descending === true ? key < after : key > after);
  const start = items.findIndex((item) => comesAfter(keyOf(item)));
  const pageItems = start === -1 ? [] : items.slice(start, start + options.size);
  const last = pageItems.at(-1);
  const hasMore = start !== -1 && start + options.size < items.length && last !== undefined;

  const path = (request.url.split('?')[0] ?? '').replace(/\/?$/, '/');
  const base = `${request.protocol}://${request.host}${path}`;
  const params = new URLSearchParams(query(request));
  const self = params.size === 0 ? base : `${base}?${params}`;
  let next: string | null = null;
  if (hasMore) {
    params.set('page[cursor]', Buffer.from(`next::${keyOf(last)}`).toString('base64url'));
    next = `${base}?${params}`;
  }
  return { items: pageItems, links: { self, next, prev: null } };
}

/** A sort key that orders by time, then id, as plain strings. */
export function timeKey(ms: number, id: string): string {
  return `${String(ms).padStart(15, '0')}|${id}`;
}

/** The JSON pointer of the first problem zod found in a write body, for `source.pointer`. */
export function pointerOf(error: z.ZodError): string {
  const path = error.issues[0]?.path ?? [];
  return `/${path.map(String).join('/')}`;
}
