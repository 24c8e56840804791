// Postgres text cannot hold the NUL character (U+0000): a request carrying one anywhere — body, query or path —
// is refused up front with a 400 saying where, rather than failing inside a query with a 500.

import { AppError } from '@adsync/errors';
import type { FastifyInstance } from 'fastify';
import type { RequestPart } from './validation.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route reads NUL characters safely itself (the OAuth callback answers with a page). */
    nulGuard?: boolean;
  }
}

/** Where a value holds a NUL character (in a string or an object key), as a dotted path ('' for the value itself). */
export function nulPath(value: unknown): string | undefined {
  // A stack, not recursion: a body may be nested thousands of levels deep.
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key.includes('\u0000')) return childPath;
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return undefined;
}

export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config?.nulGuard === false) return;
    const parts: [RequestPart, unknown][] = [
      ['path', request.params],
      ['query', request.query],
      ['body', request.body],
    ];
    for (const [part, value] of parts) {
      const at = nulPath(value);
      if (at === undefined) continue;
      const where = at === '' ? '' : ` at ${JSON.stringify(at.replaceAll('\u0000', '\\u0000').slice(0, 200))}`;
      throw new AppError(
        'invalid_request',
        `The request ${part} contains a NUL character (\\u0000)${where}; no field accepts it: remove it.`,
      );
    }
  });
}
