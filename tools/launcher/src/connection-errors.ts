// Tells "nothing answers at that address" apart from "something answered and said no", because only the
// first one may be fixed by starting a local server.

export { isUnreachableError } from '@adsync/errors';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
