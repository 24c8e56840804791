import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, safeEqual, weakTokenReason } from './index.ts';

describe('hashToken', () => {
  it('is the hex SHA-256 of the token', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('generateToken', () => {
  it('returns the prefix and 32 random bytes as base64url', () => {
    const token = generateToken('op');
    expect(token).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    expect(generateToken('op')).not.toBe(token);
  });

  it('refuses a prefix that would make the token ambiguous or unsafe in a header', () => {
    for (const prefix of ['', 'has space', 'a.b', 'x'.repeat(33)]) {
      expect(() => generateToken(prefix)).toThrow(/token prefix/);
    }
  });
});

describe('safeEqual', () => {
  it('compares strings of equal and different lengths', () => {
    expect(safeEqual('op_secret', 'op_secret')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('op_secret', 'op_secreT')).toBe(false);
    expect(safeEqual('op_secret', 'op_secret-longer')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
    expect(safeEqual('é', 'e\u0301')).toBe(false);
  });
});

describe('weakTokenReason', () => {
  it('accepts random tokens', () => {
    for (let round = 0; round < 200; round += 1) {
      expect(weakTokenReason(generateToken('op'))).toBeUndefined();
      expect(weakTokenReason(randomBytes(32).toString('hex'))).toBeUndefined();
      expect(weakTokenReason(randomBytes(24).toString('base64'))).toBeUndefined();
    }
    expect(weakTokenReason('adsync-dev-operator-token-do-not-use-in-production')).toBeUndefined();
  });

  it('says why a chosen token is too weak', () => {
    expect(weakTokenReason('adsync-dev-operator')).toBe('must be at least 32 characters (it has 19)');
    expect(weakTokenReason('correct-horse-battery')).toBe('must be at least 32 characters (it has 21)');
    expect(weakTokenReason('a'.repeat(64))).toBe('must use at least 10 different characters (it uses 1)');
    expect(weakTokenReason('0101010123232323010101012323232301')).toBe(
      'must use at least 10 different characters (it uses 4)',
    );
    expect(weakTokenReason(`${'x'.repeat(8)}0123456789abcdefghijklmnopqrstuv`)).toBe(
      'must not repeat one character more than 7 times in a row',
    );
    expect(weakTokenReason('Passw0rd!2024'.repeat(3))).toBe('must not be a shorter piece repeated');
    expect(weakTokenReason('0123456789abcdef'.repeat(2))).toBe('must not be a shorter piece repeated');
    // A repeat cut short at the end is still a repeat.
    expect(weakTokenReason('qwertyuiop['.repeat(3).slice(0, 32))).toBe('must not be a shorter piece repeated');
  });
});
