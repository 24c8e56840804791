// Bearer tokens we issue (operator tokens, API keys) are stored only as hashes. They are 256-bit random, so a
// plain SHA-256 is enough; a slow password hash would only add latency to every request. A token someone
// chooses instead (an operator's --token, the launcher's dev operator) must look as random: weakTokenReason.

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

/** A chosen token stands behind the same fast hash as ours: at least this long… */
const MIN_CHOSEN_TOKEN_LENGTH = 32;
/** …with at least this many different characters… */
const MIN_DISTINCT_CHARACTERS = 10;
/** …and no character more than this many times in a row. */
const LONGEST_RUN = 7;

/** The length of the shortest piece that `token` repeats from its start (`abcabcab` → 3), or its length. */
function repeatedPieceLength(token: string): number {
  for (let piece = 1; piece <= token.length / 2; piece += 1) {
    let repeats = true;
    for (let at = piece; at < token.length && repeats; at += 1) repeats = token[at] === token[at - piece];
    if (repeats) return piece;
  }
  return token.length;
}

/**
 * Why a token someone chose is too weak to be stored as a fast hash, or undefined when it will do. Nothing
 * short of a generator can prove randomness, so the check is simple and explainable: 32 characters or more,
 * at least 10 different ones, no character 8 times in a row, and not one shorter piece repeated. A random
 * token always passes (generateToken's 43 base64url characters; `openssl rand -hex 32`; 32 random hex
 * characters fail about once in 11,000 for having fewer than 10 different ones); a short password, one key
 * held down, or a word typed over and over does not. A long passphrase still passes: the check keeps out
 * what is guessed first, not everything that is guessable.
 */
export function weakTokenReason(token: string): string | undefined {
  // Code points, not UTF-16 units: an emoji counts as one character.
  const characters = [...token];
  if (characters.length < MIN_CHOSEN_TOKEN_LENGTH) {
    return `must be at least ${MIN_CHOSEN_TOKEN_LENGTH} characters (it has ${characters.length})`;
  }
  const distinct = new Set(characters).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    return `must use at least ${MIN_DISTINCT_CHARACTERS} different characters (it uses ${distinct})`;
  }
  let run = 1;
  for (let at = 1; at < characters.length; at += 1) {
    run = characters[at] === characters[at - 1] ? run + 1 : 1;
    if (run > LONGEST_RUN) return `must not repeat one character more than ${LONGEST_RUN} times in a row`;
  }
  if (repeatedPieceLength(token) < token.length) return 'must not be a shorter piece repeated';
  return undefined;
}
