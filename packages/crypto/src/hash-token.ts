// Bearer tokens we issue (operator tokens, API keys) are stored only as hashes. They are 256-bit random, so a
// plain SHA-256 is enough; a slow password hash would only add latency to every request.

import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@adsync/errors';

/** Letters, digits and `_`, so the prefix reads as one word and the token stays URL- and header-safe. */
const PREFIX_PATTERN = /^[A-Za-z0-9_]{1,32}$/;

/** One-shot hashing (no Hash object): every API request hashes its key, so this is on the hot path. */
function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/** Lowercase hex SHA-256 of the token's UTF-8 bytes: what is stored and looked up. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** `${prefix}_${base64url(32 random bytes)}`; the prefix tells a leaked token's kind at a glance. */
export function generateToken(prefix: string): string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new AppError('invalid_token_prefix', 'A token prefix must be 1-32 letters, digits or _', { status: 500 });
  }
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/**
 * Constant-time string comparison. Both sides are hashed first, so inputs of different lengths take the same
 * time and the length of the expected value does not leak.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
