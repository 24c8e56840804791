// The normalization table: what each customer field becomes before it is hashed, and what is refused.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashed,
  InvalidValue,
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeGender,
  normalizeName,
  normalizeState,
  normalizeZip,
  phoneDigits,
} from './normalize.ts';

describe('normalization before hashing', () => {
  it.each([
    [normalizeEmail, '  John.Doe@Example.COM ', 'john.doe@example.com'],
    [phoneDigits, '+1 (650) 555-1234', '16505551234'],
    [phoneDigits, '0044 20 7946 0958', '442079460958'],
    [phoneDigits, '+44-20-7946-0958', '442079460958'],
    [phoneDigits, '1.650.555.1234', '16505551234'],
    [normalizeName, ' José ', 'josé'],
    [normalizeName, 'Mu\u0308ller', 'müller'],
    [normalizeName, "O'Brien-Smith", 'obriensmith'],
    [normalizeName, 'Mary  Ann', 'mary ann'],
    [normalizeCity, 'San Francisco', 'sanfrancisco'],
    [normalizeCity, 'São Paulo 2', 'sãopaulo'],
    [normalizeState, 'CA', 'ca'],
    [normalizeState, 'N.S.W.', 'nsw'],
    [normalizeZip, '94025-1234', '94025'],
    [normalizeZip, '940251234', '94025'],
    [normalizeZip, 'SW1A 1AA', 'sw1a1aa'],
    [normalizeCountry, 'US', 'us'],
    [normalizeDateOfBirth, '1990-02-28', '19900228'],
    [normalizeGender, 'Female', 'f'],
    [normalizeGender, 'M', 'm'],
  ])('%o(%j) → %j', (normalize, input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it.each([
    [normalizeEmail, 'not-an-email', 'invalid_email'],
    [phoneDigits, '020 7946 0958', 'invalid_phone'],
    [phoneDigits, '+1 650 CALL NOW', 'invalid_phone'],
    [phoneDigits, '+12', 'invalid_phone'],
    [normalizeCountry, 'USA', 'invalid_country'],
    [normalizeDateOfBirth, '1990-02-30', 'invalid_date_of_birth'],
    [normalizeGender, 'x', 'invalid_gender'],
    [normalizeName, '!!!', 'invalid_name'],
    [normalizeZip, '-', 'invalid_zip'],
  ])('%o refuses %j with %s', (normalize, input, code) => {
    expect(() => normalize(input)).toThrow(InvalidValue);
    try {
      normalize(input);
    } catch (error) {
      expect((error as InvalidValue).code).toBe(code);
    }
  });

  it('hashes the normalized text, and passes an existing SHA-256 through lowercased', () => {
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    expect(hashed(' A@B.CO ', normalizeEmail)).toBe(sha('a@b.co'));
    const digest = sha('someone@example.com');
    expect(hashed(digest.toUpperCase(), normalizeEmail)).toBe(digest);
  });
});
