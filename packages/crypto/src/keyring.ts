// The set of data-encryption keys a process holds: the first one seals, every one opens, so keys can be
// rotated without downtime. Key bytes live only in KeyObjects, which never print or serialize their bytes.

import { createSecretKey, type KeyObject } from 'node:crypto';
import { AppError } from '@adsync/errors';

export interface KeyringEntry {
  readonly id: string;
  readonly key: Buffer;
}

export interface Keyring {
  /** The key id new values are sealed with: the first entry. */
  readonly activeKeyId: string;
  /** Every key id the ring can open, active first. */
  readonly keyIds: readonly string[];
  /** The key for `id`, or undefined when the ring does not hold it. */
  keyFor(id: string): KeyObject | undefined;
}

/** Key ids appear in every sealed value, so they are kept short and free of the `.` separator. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const KEY_BYTES = 32;

function invalidKeyring(message: string): AppError {
  return new AppError('invalid_keyring', `Invalid encryption keyring: ${message}`, { status: 500 });
}

/**
 * Builds a keyring from `ENCRYPTION_KEYS` entries. Throws `invalid_keyring` when the list is empty, a key is
 * not 32 bytes, or an id is malformed or repeated. Messages never include key material; a malformed id is
 * not echoed either, since it may be a misplaced key.
 */
export function createKeyring(keys: readonly KeyringEntry[]): Keyring {
  if (keys.length === 0) throw invalidKeyring('at least one key is required');
  const byId = new Map<string, KeyObject>();
  keys.forEach((entry, index) => {
    const position = `entry ${index + 1}`;
    if (typeof entry.id !== 'string' || !KEY_ID_PATTERN.test(entry.id)) {
      throw invalidKeyring(`${position} has an invalid key id (use 1-32 letters, digits, _ or -)`);
    }
    if (!Buffer.isBuffer(entry.key) || entry.key.length !== KEY_BYTES) {
      const got = Buffer.isBuffer(entry.key) ? `${entry.key.length} bytes` : 'not a Buffer';
      throw invalidKeyring(`key id "${entry.id}" must be exactly ${KEY_BYTES} bytes (got ${got})`);
    }
    if (byId.has(entry.id)) throw invalidKeyring(`key id "${entry.id}" appears more than once`);
    // createSecretKey copies the bytes, so later changes to the caller's Buffer cannot affect the ring.
    byId.set(entry.id, createSecretKey(entry.key));
  });
  const keyIds = Object.freeze([...byId.keys()]);
  const activeKeyId = keyIds[0];
  if (activeKeyId === undefined) throw invalidKeyring('at least one key is required');
  return Object.freeze({
    activeKeyId,
    keyIds,
    keyFor: (id: string) => byId.get(id),
  });
}
