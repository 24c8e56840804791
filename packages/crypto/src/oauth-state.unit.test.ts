import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStateNonce, type OAuthStatePayload, signOAuthState, verifyOAuthState } from './index.ts';

const secret = 'test-oauth-state-secret-0123456789abcdef';
const now = Date.UTC(2025, 0, 1);
const payload: OAuthStatePayload = {
  tenantId: '7f1c0b4e-3f0a-4c55-9a43-0d8f3f0e2b11',
  provider: 'meta',
  nonce: createStateNonce(),
  returnUrl: 'https://app.example.com/connections?tab=ads&x=ü',
  expiresAt: now + 10 * 60_000,
};

/** A token whose signature is valid over an arbitrary first part, to reach the payload checks. */
function signedRaw(json: string): string {
  const encoded = Buffer.from(json, 'utf8').toString('base64url');
  return `${encoded}.${createHmac('sha256', secret).update(encoded).digest('base64url')}`;
}

function errorCode(token: string, at = now): string | undefined {
  const result = verifyOAuthState(secret, token, at);
  return result.ok ? undefined : result.error.code;
}

describe('signOAuthState / verifyOAuthState', () => {
  it('round-trips the payload in a compact URL-safe token', () => {
    const token = signOAuthState(secret, payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(300);
    expect(verifyOAuthState(secret, token, now)).toEqual({ ok: true, value: payload });
  });

  it('signs only the five payload fields', () => {
    const token = signOAuthState(secret, { ...payload, extra: 'junk' } as OAuthStatePayload);
    const result = verifyOAuthState(secret, token, now);
    expect(result.ok && Object.keys(result.value).sort()).toEqual(
      ['expiresAt', 'nonce', 'provider', 'returnUrl', 'tenantId'].sort(),
    );
  });

  it('rejects a tampered payload, a tampered signature and another secret with invalid_state_signature', () => {
    const token = signOAuthState(secret, payload);
    const [body, signature] = token.split('.') as [string, string];
    const otherTenant = signOAuthState('another-secret-of-enough-length-0123456789', {
      ...payload,
      tenantId: 'tenant-b',
    });
    const tamperedBody = Buffer.from(Buffer.from(body, 'base64url').toString('utf8').replace('meta', 'goog'));
    const candidates = [
      `${tamperedBody.toString('base64url')}.${signature}`,
      `${otherTenant.split('.')[0]}.${signature}`,
      `${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`,
      `${body}.${signature.slice(0, -1)}`,
      `${body}.${signature}AA`,
      otherTenant,
      'a.b',
    ];
    for (const candidate of candidates) expect(errorCode(candidate), candidate).toBe('invalid_state_signature');
  });

  it('expires at expiresAt exactly and after, not before', () => {
    const token = signOAuthState(secret, payload);
    expect(verifyOAuthState(secret, token, payload.expiresAt - 1).ok).toBe(true);
    expect(errorCode(token, payload.expiresAt)).toBe('expired_state');
    expect(errorCode(token, payload.expiresAt + 1)).toBe('expired_state');
  });

  it('returns malformed_state for garbage, never throwing', () => {
    const wire = { t: payload.tenantId, p: payload.provider, n: payload.nonce, r: payload.returnUrl, e: 1 };
    const { n: _missing, ...missingNonce } = wire;
    const garbage = [
      '',
      'abc',
      'a.b.c',
      '.',
      'a.',
      '.b',
      'a b.c',
      'x'.repeat(10_000),
      signedRaw('not json'),
      signedRaw('null'),
      signedRaw('[1,2,3,4,5]'),
      signedRaw('"string"'),
      signedRaw(JSON.stringify(missingNonce)),
      signedRaw(JSON.stringify({ ...wire, extra: 1 })),
      signedRaw(JSON.stringify({ ...wire, e: '1' })),
      signedRaw(JSON.stringify({ ...wire, e: 1.5 })),
      signedRaw(JSON.stringify({ ...wire, t: '' })),
      signedRaw(JSON.stringify({ ...wire, r: null })),
      signedRaw(`{"t":"a","p":"b","n":"c","r":"","e":1,"__proto__":{}}`),
    ];
    for (const token of garbage) {
      expect(() => verifyOAuthState(secret, token, 0)).not.toThrow();
      expect(errorCode(token, 0), token.slice(0, 40)).toBe('malformed_state');
    }
    expect(errorCode(null as unknown as string)).toBe('malformed_state');
  });

  it('accepts a hand-built token with the expected wire shape', () => {
    const wire = { t: 't1', p: 'google', n: 'nonce', r: '', e: now + 1 };
    expect(verifyOAuthState(secret, signedRaw(JSON.stringify(wire)), now)).toEqual({
      ok: true,
      value: { tenantId: 't1', provider: 'google', nonce: 'nonce', returnUrl: '', expiresAt: now + 1 },
    });
  });

  it('refuses a short secret and a non-finite clock loudly', () => {
    expect(() => signOAuthState('short', payload)).toThrow(/at least 32 characters/);
    expect(() => verifyOAuthState('short', 'a.b', now)).toThrow(/at least 32 characters/);
    expect(() => verifyOAuthState(secret, signOAuthState(secret, payload), Number.NaN)).toThrow(/finite/);
    expect(() => signOAuthState(secret, { ...payload, expiresAt: Number.NaN })).toThrow(/expiresAt/);
  });
});

describe('createStateNonce', () => {
  it('returns 32 random bytes as base64url', () => {
    const nonce = createStateNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(nonce, 'base64url')).toHaveLength(32);
    expect(createStateNonce()).not.toBe(nonce);
  });
});
