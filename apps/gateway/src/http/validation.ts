// One way to turn a zod failure on a request into the API's error: 400 `invalid_request`, naming the first
// field at fault and what is wrong with it.

import { AppError } from '@adsync/errors';
import type { z } from 'zod';

export type RequestPart = 'body' | 'query' | 'path';

export function invalidInput(error: z.ZodError, part: RequestPart = 'body'): AppError {
  const issue = error.issues[0];
  const where =
    issue === undefined || issue.path.length === 0
      ? part
      : `${part === 'body' ? '' : `${part} `}${issue.path.join('.')}`;
  return new AppError(
    'invalid_request',
    `The request ${part} is invalid at ${where}: ${issue?.message ?? 'unexpected shape'}.`,
  );
}

/** The input parsed with the schema, or the API's 400 naming the first field at fault. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, part: RequestPart): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw invalidInput(result.error, part);
  return result.data;
}
