import { createHash } from 'node:crypto';
import { AppError } from '@adsync/errors';
import { describe, expect, it } from 'vitest';
import { createKeyring, keyIdOf, openSecret, resealSecret, type SealContext, sealSecret } from './index.ts';

const k1 = { id: 'k1', key: createHash('sha256').update('key one').digest() };
const k2 = { id: 'k2', key: createHash('sha256').update('key two').digest() };
const ring = createKeyring([k1, k2]);
const context: SealContext = { tenantId: 'tenant-a', connectionId: 'conn-1', field: 'access_token' };
const plaintext = 'EAAB-super-secret-access-token';

function thrown(attempt: () => unknown): AppError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** Flips one bit in the first byte of the given dot-separated part (2 = IV, 3 = ciphertext, 4 = tag). */
function flip(sealed: string, partIndex: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[partIndex] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealSecret / openSecret', () => {
  it('round-trips ASCII, unicode, empty and 4 KB values', () => {
    for (const value of [plaintext, 'ключ 🔑 clé 鍵 \u0000 \n', '', 'x'.repeat(4096)]) {
      expect(openSecret(ring, sealSecret(ring, value, context), context)).toBe(value);
    }
  });

  it('produces the v1 ASCII format with a 96-bit IV and a 128-bit tag', () => {
    const sealed = sealSecret(ring, plaintext, context);
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(plaintext);
    expect(keyIdOf(sealed)).toBe('k1');
  });

  it('uses a fresh IV each time, so equal plaintexts seal differently', () => {
    const first = sealSecret(ring, plaintext, context);
    const second = sealSecret(ring, plaintext, context);
    expect(first).not.toBe(second);
    expect(first.split('.')[2]).not.toBe(second.split('.')[2]);
  });

  it('fails with decryption_failed when the ciphertext, tag or IV is altered', () => {
    const sealed = sealSecret(ring, plaintext, context);
    for (const part of [2, 3, 4]) {
      expect(thrown(() => openSecret(ring, flip(sealed, part), context)).code).toBe('decryption_failed');
    }
  });

  it('fails with decryption_failed when the key id is swapped to another key in the ring', () => {
    const sealed = sealSecret(ring, plaintext, context);
    const swapped = sealed.replace(/^v1\.k1\./, 'v1.k2.');
    expect(keyIdOf(swapped)).toBe('k2');
    expect(thrown(() => openSecret(ring, swapped, context)).code).toBe('decryption_failed');
  });

  it('fails with decryption_failed when opened in another tenant, connection or field', () => {
    const sealed = sealSecret(ring, plaintext, context);
    const elsewhere: SealContext[] = [
      { ...context, tenantId: 'tenant-b' },
      { ...context, connectionId: 'conn-2' },
      { ...context, field: 'refresh_token' },
    ];
    for (const other of elsewhere) {
      expect(thrown(() => openSecret(ring, sealed, other)).code).toBe('decryption_failed');
    }
  });

  it('keeps context values apart, so shifting text between them does not open', () => {
    const sealed = sealSecret(ring, plaintext, { tenantId: 'a"b', connectionId: 'c', field: 'api_key' });
    expect(thrown(() => openSecret(ring, sealed, { tenantId: 'a', connectionId: 'b"c', field: 'api_key' })).code).toBe(
      'decryption_failed',
    );
  });

  it('refuses an empty context value instead of sealing a weaker binding', () => {
    expect(thrown(() => sealSecret(ring, plaintext, { ...context, connectionId: '' })).code).toBe(
      'invalid_seal_context',
    );
  });

  it('names an unknown key id and says how to fix it', () => {
    const old = createKeyring([{ id: 'old-2024', key: k1.key }]);
    const sealed = sealSecret(old, plaintext, context);
    const error = thrown(() => openSecret(ring, sealed, context));
    expect(error.code).toBe('unknown_key_id');
    expect(error.message).toBe(
      'Cannot decrypt: the value was sealed with key id "old-2024" which is not in ENCRYPTION_KEYS. ' +
        'Add that key back (as a non-first entry) to decrypt it.',
    );
  });

  it('rejects malformed values with malformed_ciphertext', () => {
    const sealed = sealSecret(ring, plaintext, context);
    const [, , iv, ciphertext, tag] = sealed.split('.');
    const malformed = [
      '',
      'not a sealed value',
      sealed.replace(/^v1\./, 'v2.'),
      sealed.replace(/^v1\./, ''),
      `${sealed}.extra`,
      `v1.k1.${iv}.${ciphertext}`,
      `v1.k1.${iv}!.${ciphertext}.${tag}`,
      `v1.k1.${iv}.${ciphertext}.${tag}==`,
      `v1.k1.${iv}.${ciphertext}.${tag?.slice(0, -2)}`,
      `v1.k1.${iv?.slice(0, -1)}.${ciphertext}.${tag}`,
      `v1.bad key.${iv}.${ciphertext}.${tag}`,
      `v1..${iv}.${ciphertext}.${tag}`,
    ];
    for (const value of malformed) {
      expect(thrown(() => openSecret(ring, value, context)).code, value).toBe('malformed_ciphertext');
      expect(thrown(() => keyIdOf(value)).code).toBe('malformed_ciphertext');
    }
    expect(thrown(() => openSecret(ring, null as unknown as string, context)).code).toBe('malformed_ciphertext');
  });

  it('never puts plaintext, ciphertext or key bytes in error messages', () => {
    const sealed = sealSecret(ring, plaintext, context);
    const errors = [
      thrown(() => openSecret(ring, flip(sealed, 3), context)),
      thrown(() => openSecret(ring, sealed, { ...context, field: 'api_key' })),
      thrown(() => openSecret(createKeyring([k2]), sealed, context)),
      thrown(() => openSecret(ring, `${sealed}x!`, context)),
    ];
    const forbidden = [
      plaintext,
      sealed.split('.')[3] ?? '',
      sealed.split('.')[4] ?? '',
      ...[k1.key, k2.key].flatMap((bytes) => [bytes.toString('hex'), bytes.toString('base64').slice(0, 20)]),
    ];
    for (const error of errors) {
      for (const text of [error.message, JSON.stringify(error), String(error.stack)]) {
        for (const secret of forbidden) expect(text).not.toContain(secret);
      }
    }
  });
});

describe('key rotation', () => {
  it('opens old values, reseals them under the new key, and drops the old key afterwards', () => {
    const before = createKeyring([k1]);
    const original = sealSecret(before, plaintext, context);

    const rotating = createKeyring([k2, k1]);
    expect(openSecret(rotating, original, context)).toBe(plaintext);

    const resealed = resealSecret(rotating, original, context);
    expect(resealed.changed).toBe(true);
    expect(keyIdOf(resealed.sealed)).toBe('k2');

    const after = createKeyring([k2]);
    expect(openSecret(after, resealed.sealed, context)).toBe(plaintext);
    expect(resealSecret(rotating, resealed.sealed, context)).toEqual({ sealed: resealed.sealed, changed: false });
    expect(resealSecret(after, resealed.sealed, context)).toEqual({ sealed: resealed.sealed, changed: false });

    const error = thrown(() => openSecret(after, original, context));
    expect(error.code).toBe('unknown_key_id');
    expect(error.message).toContain('"k1"');
  });

  it('keeps the context binding when resealing', () => {
    const original = sealSecret(createKeyring([k1]), plaintext, context);
    const resealed = resealSecret(createKeyring([k2, k1]), original, context);
    expect(thrown(() => openSecret(createKeyring([k2]), resealed.sealed, { ...context, tenantId: 'x' })).code).toBe(
      'decryption_failed',
    );
  });

  it('does not report a value under the active key as done when it does not open', () => {
    const sealed = sealSecret(ring, plaintext, context);
    expect(thrown(() => resealSecret(ring, flip(sealed, 4), context)).code).toBe('decryption_failed');
    expect(thrown(() => resealSecret(ring, sealed, { ...context, tenantId: 'tenant-b' })).code).toBe(
      'decryption_failed',
    );
  });
});
