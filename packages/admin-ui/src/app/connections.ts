// Which connection a platform's card shows: the live one, else the most recent disconnected one.

import type { ConnectionView } from './types.ts';

export function connectionFor(connections: readonly ConnectionView[], provider: string): ConnectionView | undefined {
  const mine = connections
    .filter((connection) => connection.provider === provider)
    .sort((a, b) => b.connectedAt.localeCompare(a.connectedAt));
  return mine.find((connection) => connection.status !== 'disconnected') ?? mine[0];
}

/** What the platform's consent page reported on the way back (query parameters of our return URL). */
export function connectResult(
  query: URLSearchParams,
): { provider: string; status: string; missingScopes: string[] } | null {
  const provider = query.get('provider');
  const status = query.get('status');
  if (provider === null || status === null) return null;
  const missing = query.get('missing_scopes');
  return { provider, status, missingScopes: missing === null || missing === '' ? [] : missing.split(',') };
}
