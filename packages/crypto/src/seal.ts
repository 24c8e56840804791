// Envelope for secrets at rest (OAuth tokens, API keys): AES-256-GCM, bound by associated data to the key id
// and to the tenant, connection and field it belongs to, so a value copied to another row or column fails to open.
//
// Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url without padding, 96-bit IV, 128-bit tag.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '@adsync/errors';
import { KEY_ID_PATTERN, type Keyring } from './keyring.ts';

/** Where a sealed value lives. The same values must be given to open it. */
export interface SealContext {
  readonly tenantId: string;
  readonly connectionId: string;
  /** The column or secret kind, e.g. `access_token`, `refresh_token`, `api_key`. */
  readonly field: string;
}

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

interface ParsedSealed {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/**
 * Associated data. A JSON array of strings is an unambiguous encoding (no value can spill into the next), so
 * context values need no character restrictions. Changing this breaks every stored value: it is part of v1.
 */
function associatedData(keyId: string, context: SealContext): Buffer {
  return Buffer.from(JSON.stringify(['adsync/v1', keyId, context.tenantId, context.connectionId, context.field]));
}

function checkContext(context: SealContext): void {
  for (const name of ['tenantId', 'connectionId', 'field'] as const) {
    const value: unknown = context[name];
    // An empty value would silently weaken the binding, which is almost always a caller bug.
    if (typeof value !== 'string' || value === '') {
      throw new AppError('invalid_seal_context', `Seal context ${name} must be a non-empty string`, { status: 500 });
    }
  }
}

function malformed(): AppError {
  return new AppError(
    'malformed_ciphertext',
    'Cannot decrypt: the value is not in the v1 sealed format (v1.<keyId>.<iv>.<ciphertext>.<tag>).',
    { status: 500 },
  );
}

/** Strict base64url: Buffer.from ignores stray characters, so only the canonical encoding is accepted. */
function decodeBase64url(part: string): Buffer | undefined {
  if (!BASE64URL.test(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : undefined;
}

function parseSealed(sealed: string): ParsedSealed {
  if (typeof sealed !== 'string') throw malformed();
  const parts = sealed.split('.');
  if (parts.length !== 5) throw malformed();
  const [version, keyId, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string, string];
  if (version !== VERSION || !KEY_ID_PATTERN.test(keyId)) throw malformed();
  const iv = decodeBase64url(ivPart);
  const ciphertext = decodeBase64url(ciphertextPart);
  const tag = decodeBase64url(tagPart);
  if (iv?.length !== IV_BYTES || ciphertext === undefined || tag?.length !== TAG_BYTES) throw malformed();
  return { keyId, iv, ciphertext, tag };
}

/** Encrypts `plaintext` with the keyring's active key and a fresh random IV. */
export function sealSecret(keyring: Keyring, plaintext: string, context: SealContext): string {
  checkContext(context);
  const keyId = keyring.activeKeyId;
  const key = keyring.keyFor(keyId);
  if (key === undefined) {
    throw new AppError('invalid_keyring', `Invalid encryption keyring: active key id "${keyId}" has no key`, {
      status: 500,
    });
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(keyId, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join(
    '.',
  );
}

/**
 * Decrypts a value made by `sealSecret` with the same context. Throws AppError `malformed_ciphertext`,
 * `unknown_key_id` or `decryption_failed`; messages never contain the value, the plaintext or key bytes.
 */
export function openSecret(keyring: Keyring, sealed: string, context: SealContext): string {
  checkContext(context);
  const parsed = parseSealed(sealed);
  const key = keyring.keyFor(parsed.keyId);
  if (key === undefined) {
    throw new AppError(
      'unknown_key_id',
      `Cannot decrypt: the value was sealed with key id "${parsed.keyId}" which is not in ENCRYPTION_KEYS. ` +
        'Add that key back (as a non-first entry) to decrypt it.',
      { status: 500, details: { keyId: parsed.keyId } },
    );
  }
  const decipher = createDecipheriv(ALGORITHM, key, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(parsed.keyId, context));
  decipher.setAuthTag(parsed.tag);
  try {
    return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // The cause is deliberately dropped: it says nothing more than "unable to authenticate data".
    throw new AppError(
      'decryption_failed',
      `Cannot decrypt: the value failed authentication with key id "${parsed.keyId}". It was altered, belongs to ` +
        'another tenant, connection or field, or ENCRYPTION_KEYS holds a different key under that id.',
      { status: 500, details: { keyId: parsed.keyId } },
    );
  }
}

/** The key id a sealed value names, without decrypting it. Throws `malformed_ciphertext`. */
export function keyIdOf(sealed: string): string {
  return parseSealed(sealed).keyId;
}

/**
 * Online key rotation: re-encrypts a value with the active key. A value already under the active key is
 * returned as is (`changed: false`), but it is still opened first, so a rotation pass also finds values that
 * would not decrypt instead of reporting them as done.
 */
export function resealSecret(
  keyring: Keyring,
  sealed: string,
  context: SealContext,
): { sealed: string; changed: boolean } {
  const plaintext = openSecret(keyring, sealed, context);
  if (keyIdOf(sealed) === keyring.activeKeyId) return { sealed, changed: false };
  return { sealed: sealSecret(keyring, plaintext, context), changed: true };
}
