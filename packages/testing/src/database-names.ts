// Test database names and Redis key prefixes carry their creation time, so a run can clean up after runs
// that crashed before their teardown.

import { randomBytes } from 'node:crypto';

const PREFIX = 'adsync_t';

export function newDatabaseName(kind: 'tpl' | 'db'): string {
  return `${PREFIX}_${kind}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** True for a test database created more than `maxAgeMs` ago. */
export function isStaleTestDatabase(name: string, now: number, maxAgeMs: number): boolean {
  const match = new RegExp(`^${PREFIX}_(?:tpl|db)_([0-9a-z]+)_[0-9a-f]{8}$`).exec(name);
  if (match?.[1] === undefined) return false;
  return now - Number.parseInt(match[1], 36) > maxAgeMs;
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const QUEUE_PREFIX_PATTERN = /^\{adsync-test-([0-9a-z]+)-[0-9a-f]{8}\}/;

export function newQueuePrefix(): string {
  return `{adsync-test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}}`;
}

/** The queue prefix a Redis key belongs to, when it is a test prefix older than `maxAgeMs`. */
export function staleQueuePrefixOf(key: string, now: number, maxAgeMs: number): string | undefined {
  const match = QUEUE_PREFIX_PATTERN.exec(key);
  if (match?.[1] === undefined) return undefined;
  return now - Number.parseInt(match[1], 36) > maxAgeMs ? match[0] : undefined;
}
