// Tells "nothing answers at that address" apart from "something answered and said no", because only the
// first one may be fixed by starting a local server.

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node reports a failed dual-stack connect ("localhost" → ::1 and 127.0.0.1) as an AggregateError.
  if (Array.isArray(errors)) return codeOf(errors[0]);
  return undefined;
}

export function isUnreachableError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /timeout|timed out|Connection terminated unexpectedly|Connection is closed/i.test(message);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
