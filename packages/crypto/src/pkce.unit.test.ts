import { describe, expect, it } from 'vitest';
import { createPkcePair, pkceChallengeFor } from './index.ts';

describe('PKCE', () => {
  it('matches the RFC 7636 Appendix B vector', () => {
    expect(pkceChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates 43-character unreserved verifiers with their S256 challenge', () => {
    const pairs = Array.from({ length: 20 }, () => createPkcePair());
    for (const pair of pairs) {
      expect(pair.verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
      expect(pair.challenge).toBe(pkceChallengeFor(pair.verifier));
      expect(pair.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(pair.method).toBe('S256');
    }
    expect(new Set(pairs.map((pair) => pair.verifier)).size).toBe(pairs.length);
  });

  it('refuses verifiers RFC 7636 forbids', () => {
    for (const verifier of ['', 'a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}é`]) {
      expect(() => pkceChallengeFor(verifier)).toThrow(/43-128 characters/);
    }
    expect(pkceChallengeFor('a'.repeat(128))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
