// One call to TikTok's Marketing API, shared by the OAuth client and the spend reader: the HTTP-200 envelope
// whose `code` decides (providers.md §3), then the `data` checked against a zod schema.

import { err, ok } from '@adsync/errors';
import type { z } from 'zod';
import { type HttpRequest, httpJson } from '../http.ts';
import type { ProviderResult } from '../provider.ts';
import { httpStatusError, schemaError, tiktokError } from './tiktok.errors.ts';
import { envelope } from './tiktok.schemas.ts';

/** 0 = OK, 20001 = partial success: both carry data. */
const SUCCESS_CODES = new Set([0, 20001]);

/**
 * `action` completes "TikTok refused to …" in error messages; `secrets` are every credential the request
 * carried, cut out of any platform text that quotes them.
 */
export async function callTikTok<T>(
  request: HttpRequest,
  schema: z.ZodType<T>,
  action: string,
  secrets: readonly string[],
): Promise<ProviderResult<T>> {
  const response = await httpJson(request);
  if (!response.ok) return response;
  const answer = envelope.safeParse(response.value.body);
  // An envelope with an error code explains itself better than its HTTP status does.
  if (answer.success && !SUCCESS_CODES.has(answer.data.code)) {
    return err(tiktokError(answer.data, action, secrets));
  }
  if (response.value.status !== 200) return err(httpStatusError(response.value.status, action));
  if (!answer.success) return err(schemaError(action));
  const data = schema.safeParse(answer.data.data);
  return data.success ? ok(data.data) : err(schemaError(action));
}
