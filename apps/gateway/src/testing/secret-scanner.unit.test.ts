import { describe, expect, it } from 'vitest';
import { scanForSecrets, secretForms } from './secret-scanner.ts';

const token = 'EAAtokenWith+/=andMore_chars-0123456789';
const secret = { name: 'meta access token', value: token };
const found = (text: string, extra: Partial<Parameters<typeof scanForSecrets>[0][number]> = {}) =>
  scanForSecrets([{ ...secret, ...extra }], [{ name: 'log 1', text }]);

describe('scanForSecrets', () => {
  it('finds a secret as is, URL-encoded and JSON-escaped', () => {
    expect(found(`{"msg":"calling with ${token}"}`)).toMatchObject([{ form: 'as is', source: 'log 1' }]);
    expect(found(`GET /x?access_token=${encodeURIComponent(token)}`)).toMatchObject([{ form: 'URL-encoded' }]);
    const quoted = { name: 'quoted', value: 'has "quotes" and \\ slashes' };
    expect(scanForSecrets([quoted], [{ name: 'json', text: JSON.stringify({ v: quoted.value }) }])).toHaveLength(1);
  });

  it('finds a secret base64-encoded inside a larger value, at every byte offset', () => {
    for (const before of ['', 'a', 'ab', 'abc', 'user@example.com:']) {
      for (const after of ['', 'z', 'zz']) {
        const plain = Buffer.from(`${before}${token}${after}`);
        expect(found(`Basic ${plain.toString('base64')}`), `${before}|${after}`).toHaveLength(1);
        expect(found(`cursor=${plain.toString('base64url')}`), `${before}|${after} url`).toHaveLength(1);
      }
    }
  });

  it('finds other spellings, skips the sources allowed to hold it, and masks the value in the report', () => {
    expect(found('key 0a1b2c3d4e5f60718293', { alsoAs: ['0a1b2c3d4e5f60718293'] })).toMatchObject([
      { form: 'other spelling 1' },
    ]);
    expect(found(`issued ${token}`, { allowedIn: ['log'] })).toEqual([]);
    const [hit] = found(`before ${token} after`);
    expect(hit?.around).toBe('before <meta access token> after');
  });

  it('finds nothing in text without the secret, and refuses secrets too short to scan for', () => {
    expect(found(`EAAtokenWith andMore ${token.slice(0, 20)}`)).toEqual([]);
    expect(() => scanForSecrets([{ name: 'short', value: 'abc' }], [])).toThrow(/too short/);
    expect(secretForms(secret).map((form) => form.form)).toContain('base64 (offset 2)');
  });
});
