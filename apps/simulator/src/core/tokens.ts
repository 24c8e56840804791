// Opaque credentials in each platform's recognisable shape. Random, so no test can guess one.

import { randomBytes } from 'node:crypto';

export function opaqueToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function hexToken(bytes = 20): string {
  return randomBytes(bytes).toString('hex');
}
