import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError } from '@adsync/errors';
import { describe, expect, it } from 'vitest';
import { createKeyring } from './index.ts';

const key = (label: string) => createHash('sha256').update(label).digest();

function thrown(attempt: () => unknown): AppError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('createKeyring', () => {
  it('makes the first entry active and holds every key', () => {
    const ring = createKeyring([
      { id: 'new-2025', key: key('a') },
      { id: 'old_2024', key: key('b') },
    ]);
    expect(ring.activeKeyId).toBe('new-2025');
    expect(ring.keyIds).toEqual(['new-2025', 'old_2024']);
    expect(ring.keyFor('old_2024')?.export().equals(key('b'))).toBe(true);
    expect(ring.keyFor('missing')).toBeUndefined();
  });

  it('copies key bytes, so changing the caller buffer later has no effect', () => {
    const bytes = key('a');
    const ring = createKeyring([{ id: 'k1', key: bytes }]);
    bytes.fill(0);
    expect(ring.keyFor('k1')?.export().equals(key('a'))).toBe(true);
  });

  it('rejects an empty list, wrong key sizes, bad ids and duplicate ids with invalid_keyring', () => {
    const cases: [unknown, RegExp][] = [
      [[], /at least one key/],
      [[{ id: 'k1', key: Buffer.alloc(16) }], /key id "k1" must be exactly 32 bytes \(got 16 bytes\)/],
      [[{ id: 'k1', key: Buffer.alloc(33) }], /exactly 32 bytes/],
      [[{ id: 'k1', key: 'not-a-buffer' }], /not a Buffer/],
      [[{ id: 'has.dot', key: key('a') }], /entry 1 has an invalid key id/],
      [[{ id: '', key: key('a') }], /invalid key id/],
      [[{ id: 'x'.repeat(33), key: key('a') }], /invalid key id/],
      [
        [
          { id: 'k1', key: key('a') },
          { id: 'k1', key: key('b') },
        ],
        /key id "k1" appears more than once/,
      ],
    ];
    for (const [keys, message] of cases) {
      const error = thrown(() => createKeyring(keys as never));
      expect(error.code).toBe('invalid_keyring');
      expect(error.message).toMatch(message);
    }
  });

  it('never echoes key material or a malformed id, which may be a misplaced key', () => {
    const secretId = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    const error = thrown(() => createKeyring([{ id: secretId, key: key('a') }]));
    expect(error.message).not.toContain(secretId);
    const sizeError = thrown(() => createKeyring([{ id: 'k1', key: Buffer.from('short-secret-bytes') }]));
    expect(sizeError.message).not.toContain('short-secret-bytes');
    expect(JSON.stringify(sizeError)).not.toContain('short-secret-bytes');
  });

  it('does not show key bytes through util.inspect or JSON.stringify', () => {
    const bytes = key('printable?');
    const ring = createKeyring([{ id: 'k1', key: bytes }]);
    const shown = [
      inspect(ring, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      inspect(ring.keyFor('k1'), { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      JSON.stringify(ring),
      JSON.stringify(ring.keyFor('k1')),
      String(ring),
    ].join('\n');
    expect(shown).toContain('k1');
    const head = [...bytes.subarray(0, 6)];
    const renderings = [
      ...(['hex', 'base64', 'base64url'] as const).map((encoding) => bytes.toString(encoding).slice(0, 12)),
      head.map((byte) => byte.toString(16).padStart(2, '0')).join(' '), // util.inspect of a Buffer
      head.join(','), // JSON.stringify of a Buffer
      'Buffer',
      'Uint8Array',
    ];
    for (const rendering of renderings) expect(shown).not.toContain(rendering);
  });
});
