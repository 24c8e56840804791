import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, safeEqual } from './index.ts';

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
