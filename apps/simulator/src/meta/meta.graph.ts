// How every Graph request is read: the optional `vNN.N` path prefix, parameters from the query string, a
// form or a JSON body, and cursor paging with an absolute `paging.next` (providers.md §1.3).

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { parameterError, unsupportedRequest } from './meta.errors.ts';

const VERSION = /^v\d{1,2}\.\d$/;

export type GraphParams = Record<string, unknown>;

/** Registers a Graph route with and without the version prefix; a malformed version is an unknown node. */
export function graphRoute(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): void {
  app.route({ method, url: `/graph${path}`, handler: handler as RouteHandlerMethod });
  app.route({
    method,
    url: `/graph/:version${path}`,
    handler: (async (request: FastifyRequest, reply: FastifyReply) => {
      const { version } = request.params as { version: string };
      if (!VERSION.test(version)) throw unsupportedRequest(method, version);
      return handler(request, reply);
    }) as RouteHandlerMethod,
  });
}

/** Query parameters overlaid with body parameters, as Graph reads them. */
export function graphParams(request: FastifyRequest): GraphParams {
  const body = request.body;
  return {
    ...(request.query as GraphParams),
    ...(body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as GraphParams) : {}),
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: unknown): number {
  if (cursor === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  if (match === null) throw parameterError('Invalid cursor: after');
  return Number(match[1]);
}

export interface Page<T> {
  data: T[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

/** The page of `items` the request asks for (`limit`, `after`), with Graph's paging links. */
export function paginate<T>(
  request: FastifyRequest,
  items: readonly T[],
  defaultLimit: number,
  maxLimit: number,
): Page<T> {
  const params = graphParams(request);
  const limit = params.limit === undefined ? defaultLimit : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1) throw parameterError('param limit must be a positive integer');
  const size = Math.min(limit, maxLimit);
  const offset = decodeCursor(params.after);
  const data = items.slice(offset, offset + size);
  if (data.length === 0) return { data };
  const link = (cursor: string) => {
    const url = new URL(request.url, `${request.protocol}://${request.host}`);
    url.searchParams.delete('before');
    url.searchParams.set('after', cursor);
    url.searchParams.set('limit', String(size));
    return url.toString();
  };
  const after = encodeCursor(offset + data.length);
  return {
    data,
    paging: {
      cursors: { before: encodeCursor(offset), after },
      ...(offset + data.length < items.length ? { next: link(after) } : {}),
      ...(offset > 0 ? { previous: link(encodeCursor(Math.max(0, offset - size))) } : {}),
    },
  };
}
