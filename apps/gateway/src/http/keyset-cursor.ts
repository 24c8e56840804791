// The API's page cursors: a page's last position (its sort keys), opaque to clients as base64url. One
// encoding for every keyset-paged list, and one 400 for a cursor the API did not give.

import { z } from 'zod';
import { invalidInput } from './validation.ts';

/** Joins the sort keys of a page's last row; none of them may hold `|`. */
export function encodeKeysetCursor(keys: readonly string[]): string {
  return Buffer.from(keys.join('|')).toString('base64url');
}

/** The keys a cursor holds, checked by `parse`; a cursor the API did not give is 400 invalid_request. */
export function decodeKeysetCursor<T>(
  cursor: string | undefined,
  parse: (keys: string[]) => T | undefined,
): T | undefined {
  if (cursor === undefined) return undefined;
  const decoded = parse(Buffer.from(cursor, 'base64url').toString('utf8').split('|'));
  if (decoded === undefined) {
    throw invalidInput(
      new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'is not a cursor this API gave', input: cursor }]),
      'query',
    );
  }
  return decoded;
}
