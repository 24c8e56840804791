// Tells "a dependency is down or restarting" (Postgres stopped, Redis restarting, a connection cut) apart
// from every other failure: only the first is worth waiting out rather than counting as a failed attempt.

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
  'EPIPE',
]);

/**
 * Postgres SQLSTATEs of a server that cannot serve right now: class 08 (connection exceptions), and
 * admin_shutdown, crash_shutdown, cannot_connect_now (57P01–57P03: stopping, crashed, still starting).
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[123])$/;

/** What pg and ioredis say when the connection is gone or cannot be made (never a platform's timeout). */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Connection is closed|Stream isn't writeable|timeout exceeded when trying to connect|Client has encountered a connection error/i;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  // Node reports a failed dual-stack connect ("localhost" → ::1 and 127.0.0.1) as an AggregateError.
  if (Array.isArray(errors)) return codeOf(errors[0]);
  return undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Nothing answers at the address (refused, reset, timed out, no such host). */
export function isUnreachableError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return true;
  return /timeout|timed out|Connection terminated unexpectedly|Connection is closed/i.test(messageOf(error));
}

/** Postgres or Redis cannot be reached or cannot serve right now; the same work should succeed later. */
export function isDependencyUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (UNREACHABLE_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  // ioredis while reconnecting (offline queue off, or retries per request used up).
  if (error instanceof Error && error.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_MESSAGES.test(messageOf(error));
}
