// PKCE (RFC 7636) for OAuth authorization-code flows: the verifier stays on the server, the challenge goes in
// the authorization URL, so an intercepted code is useless without the verifier.

import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@adsync/errors';

export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
  readonly method: 'S256';
}

/** RFC 7636 section 4.1: 43 to 128 unreserved characters. */
const VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;

/** A new verifier (32 random bytes, base64url: 43 characters) and its S256 challenge. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallengeFor(verifier), method: 'S256' };
}

/** The S256 challenge: base64url(SHA-256(ASCII verifier)), unpadded. Throws for a verifier RFC 7636 forbids. */
export function pkceChallengeFor(verifier: string): string {
  if (typeof verifier !== 'string' || !VERIFIER_PATTERN.test(verifier)) {
    throw new AppError('invalid_pkce_verifier', 'A PKCE verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~', {
      status: 500,
    });
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
