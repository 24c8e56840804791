// Opaque credentials in each platform's recognisable shape. Random, so no test can guess one.

import { randomBytes } from 'node:crypto';

export function opaqueToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function hexToken(bytes = 20): string {
  return randomBytes(bytes).toString('hex');
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Letters and digits only, as Meta's tokens and codes are (`EAA…`). */
export function alphanumericToken(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let token = prefix;
  // 62 does not divide 256, so a byte ≥ 248 would skew the alphabet; the bias (<4%) is fine for a fake.
  for (const byte of bytes) token += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return token;
}
